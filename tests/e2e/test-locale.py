#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""German, Spanish or French where a person meets them.

For the language given, with the language and the locale of the environment
(LANGUAGE, LC_ALL) and the build tree's translations (OBD2_LOCALEDIR):
  - obd2: a trouble code's title and a live value's name are translated,
    and a value with decimals has a decimal comma;
  - a customer report: its PDF's text (pdftotext) has the translated title
    and a value with a decimal comma;
  - the running application, read through its accessibility tree: the
    translated page names in the view switcher, a gauge's reading in the
    language, with a decimal comma where the reading has decimals.
Every expected text is looked up in the built catalogue (Python's gettext
reads the same .mo files), and must differ from the English: an
untranslated string fails, it does not pass as English.

Usage (run-e2e.sh sets up the session and settings; one language per run,
each in a session of its own):
  test-locale.py APP_BINARY LANG OBD2_CLI LOCALEDIR WORKDIR
Prints TAP.
"""

import gettext
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
e2e = __import__("test-app-e2e")  # the AT-SPI helpers
import pyatspi  # noqa: E402

DOMAIN = "obd2-diagnostics"
LOCALES = {"de": "de_DE.UTF-8", "es": "es_ES.UTF-8", "fr": "fr_FR.UTF-8"}
DECIMAL_COMMA = re.compile(r"\d,\d")


def translated(catalogue, msgid, context=None, same_word_ok=False):
    """The translation, which must differ from the English unless the
    language uses the same word (French "Codes")."""
    text = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
    if text == msgid and not same_word_ok:
        e2e.bail(f"“{msgid}” is not translated in this language")
    return text


# Under the sanitizers, fontconfig's caches (kept until exit) are no leak
# of obd2's: the suppression test-report-cli uses too.
LSAN_SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                 "lsan-fontconfig.supp")


def run_cli(cli, env, *args):
    env = dict(env, LSAN_OPTIONS=f"suppressions={LSAN_SUPPRESSIONS}")
    result = subprocess.run([cli] + list(args), env=env, capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        e2e.bail(f"obd2 {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def check_cli(lang, catalogue, cli, env, workdir):
    db = os.path.join(workdir, f"{lang}.db")
    out = run_cli(cli, env, "--db", db, "--port", "sim:misfire?timing=0", "dtc")
    title = translated(catalogue, "Random/Multiple Cylinder Misfire Detected")
    if title not in out:
        e2e.bail(f"obd2 dtc does not say “{title}”:\n# " + out.replace("\n", "\n# "))
    e2e.ok(f"{lang}: obd2 dtc reads “P0300 {title}”")

    out = run_cli(cli, env, "--db", db, "--port", "sim:healthy-idle?timing=0", "live", "maf",
                  "--duration", "1")
    name = translated(catalogue, "Mass air flow rate")
    line = next((l for l in out.splitlines() if name in l), None)
    if line is None or not DECIMAL_COMMA.search(line):
        e2e.bail(f"obd2 live maf gives no “{name}” with a decimal comma:\n# {out[:400]}")
    e2e.ok(f"{lang}: obd2 live reads “{' '.join(line.split()[2:])}”")

    run_cli(cli, env, "--db", db, "--port", "sim:misfire?timing=0", "record", "--duration", "3")
    pdf = os.path.join(workdir, f"report-{lang}.pdf")
    run_cli(cli, env, "--db", db, "report", "1", "-o", pdf)
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          check=True).stdout
    heading = translated(catalogue, "Vehicle health report")
    if heading not in text:
        e2e.bail(f"the report has no “{heading}”:\n# {text[:600]}")
    if not DECIMAL_COMMA.search(text):
        e2e.bail("the report has no number with a decimal comma")
    e2e.ok(f"{lang}: the report PDF reads “{heading}”, numbers with a decimal comma")


def check_app(lang, catalogue, app_binary, env, workdir):
    db = os.path.join(workdir, f"app-{lang}.db")
    process = subprocess.Popen([app_binary, "--db", db, "--connect", "sim:healthy-idle"],
                               env=env)
    try:
        def application():
            if process.poll() is not None:
                e2e.bail(f"the application exited with status {process.returncode}")
            return e2e.find_application(process.pid)

        app = e2e.wait_for("the application on the accessibility bus", application, None)
        live = translated(catalogue, "Live")
        tab = e2e.wait_for(f"the page “{live}” in the view switcher", lambda: e2e.find_actionable(
            app, e2e.named(pyatspi.ROLE_PAGE_TAB, live)), app)
        for page, same_word_ok in (("Overview", False), ("Codes", True), ("History", False)):
            name = translated(catalogue, page, same_word_ok=same_word_ok)
            if e2e.find_one(app, e2e.named(pyatspi.ROLE_PAGE_TAB, name)) is None:
                e2e.bail(f"no page “{name}” in the view switcher", app)
        e2e.do_action(tab, "click", "activate", "press")
        e2e.ok(f"{lang}: the view switcher reads “{live}”")

        rpm = translated(catalogue, "Engine speed", "gauge")
        reading = e2e.wait_for(f"a reading of “{rpm}”", lambda: e2e.find_one(
            app, lambda n: (n.name or "").startswith(rpm)
            and re.search(r"\d", n.name or "")), app)
        decimals = e2e.wait_for("a reading with a decimal comma", lambda: e2e.find_one(
            app, lambda n: n.getRole() != pyatspi.ROLE_PAGE_TAB
            and ":" in (n.name or "") and DECIMAL_COMMA.search(n.name or "")), app)
        if re.search(r"\d\.\d", decimals.name):
            e2e.bail(f"a reading with a decimal point: “{decimals.name}”", app)
        e2e.ok(f"{lang}: the gauges read “{reading.name}” and “{decimals.name}”")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    app_binary, lang, cli, localedir, workdir = sys.argv[1:6]
    locale = LOCALES[lang]
    available = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    if locale.lower().replace("utf-8", "utf8") not in available:
        e2e.bail(f"the locale {locale} is not installed (build-aux/deps.sh makes it)")
    catalogue = gettext.translation(DOMAIN, localedir, [lang])
    env = dict(os.environ, LANGUAGE=lang, LC_ALL=locale, OBD2_LOCALEDIR=localedir)
    check_cli(lang, catalogue, cli, env, workdir)
    check_app(lang, catalogue, app_binary, env, workdir)
    print(f"1..{e2e._tests}", flush=True)


if __name__ == "__main__":
    main()

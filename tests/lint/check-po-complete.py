#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-po-complete.py SRCDIR XGETTEXT MSGCMP ITSTOOL: every language of
# po/LINGUAS translates every message of the program's template, and every
# language of help/LINGUAS every message of the help's, with no fuzzy
# entry.  The templates are extracted here, from the sources as they are
# (the program's the way `ninja obd2-diagnostics-update-po` does, the
# help's with itstool as gnome.yelp() does), so a string added without its
# translations fails the lint suite.  msgcmp judges: it fails on a message
# of the template that a catalogue lacks, leaves untranslated or marks
# fuzzy.

import importlib.util
import os
import subprocess
import sys
import tempfile


def languages(path):
    langs = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            langs += line.split('#', 1)[0].split()
    return langs


def load_formats_check(srcdir):
    path = os.path.join(srcdir, 'tests', 'lint', 'check-po-formats.py')
    spec = importlib.util.spec_from_file_location('check_po_formats', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def help_pages(srcdir):
    """The pages help/meson.build lists, in its order."""
    pages = []
    with open(os.path.join(srcdir, 'help', 'meson.build'), encoding='utf-8') as f:
        for line in f:
            line = line.strip().rstrip(',')
            if line.startswith("'") and line.endswith(".page'"):
                pages.append(os.path.join(srcdir, 'help', 'C', line.strip("'")))
    return pages


def compare(msgcmp, catalogue, template, what):
    if not os.path.exists(catalogue):
        print('{}: {} is missing'.format(what, catalogue), file=sys.stderr)
        return False
    result = subprocess.run([msgcmp, catalogue, template], capture_output=True, text=True)
    if result.returncode != 0:
        # One message may be reported more than once (one line per reason).
        lines = {l.split(': ', 1)[0] for l in result.stderr.splitlines()
                 if 'this message' in l}
        print('{}: {} messages untranslated, fuzzy or missing, for example:\n  {}'
              .format(what, len(lines) or '?',
                      '\n  '.join(result.stderr.splitlines()[:6])), file=sys.stderr)
        return False
    print('{}: complete'.format(what))
    return True


def main(argv):
    if len(argv) != 5:
        print('usage: check-po-complete.py SRCDIR XGETTEXT MSGCMP ITSTOOL', file=sys.stderr)
        return 2
    srcdir, xgettext, msgcmp, itstool = argv[1:]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        program_pot = os.path.join(tmp, 'program.pot')
        with open(program_pot, 'w', encoding='utf-8') as f:
            f.write(load_formats_check(srcdir).extract(srcdir, xgettext))
        for lang in languages(os.path.join(srcdir, 'po', 'LINGUAS')):
            ok &= compare(msgcmp, os.path.join(srcdir, 'po', lang + '.po'), program_pot,
                          'po/{}.po'.format(lang))

        help_pot = os.path.join(tmp, 'help.pot')
        subprocess.run([itstool, '-o', help_pot] + help_pages(srcdir), check=True)
        for lang in languages(os.path.join(srcdir, 'help', 'LINGUAS')):
            ok &= compare(msgcmp, os.path.join(srcdir, 'help', lang, lang + '.po'), help_pot,
                          'help/{0}/{0}.po'.format(lang))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives the real obd2-diagnostics through its accessibility tree.

What a screen-reader user does: wait for the simulated vehicle, read the
engine speed from its gauge, open the trouble codes, start the guided
repair of a code and answer its question, clear the codes through the
confirmation dialog and hear that none are left.  Widgets are found by role
and accessible name only, never by position or widget type, and every wait
polls the tree up to a deadline.

Everything goes through AT-SPI actions, never synthesized key presses or
clicks: the UI tests share one X server, and input events would land in
whichever test's window has the focus.  (The first-run role question is a
list of rows, which GTK 4.8 gives no AT-SPI action; run-e2e.sh answers it
in the settings, and test-app-window covers it.)

Usage (see run-e2e.sh, which sets up the session):
  test-app-e2e.py APP_BINARY DB_PATH
Prints TAP.
"""

import os
import re
import subprocess
import sys
import time

import pyatspi

DEADLINE_S = 45.0
POLL_S = 0.1

# weak-battery stores one code (P0562) and no permanent code, so after a
# clear the list is really empty; the scenario only sets the code again
# after half a minute of driving.
CONNECTION = "sim:weak-battery"

_tests = 0


def ok(description):
    global _tests
    _tests += 1
    print(f"ok {_tests} - {description}", flush=True)


def bail(message, root=None):
    print(f"not ok {_tests + 1} - {message}", flush=True)
    if root is not None:
        print("# accessibility tree of the application, showing parts only:")
        dump(root)
    print(f"1..{_tests + 1}", flush=True)
    sys.exit(1)


def dump(node, depth=0):
    try:
        if depth > 0 and not showing(node):
            return
        print(f"# {'  ' * depth}[{node.getRoleName()}] {node.name!r}")
        for child in node:
            if child is not None:
                dump(child, depth + 1)
    except Exception as error:  # the tree changes under us
        print(f"# {'  ' * depth}({error})")


def showing(node):
    """Whether the node is on screen now.

    GTK 4.8 sets no SHOWING state, and the hidden pages of a stack stay in
    the tree; what is not on screen has no area."""
    if not node.getState().contains(pyatspi.STATE_VISIBLE):
        return False
    try:
        extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except NotImplementedError:
        return True
    return extents.width > 0 and extents.height > 0


def clean(name):
    # GTK 4.8 builds a button's name from its label property (mnemonic
    # underscore included) and its label child: "_Clear Clear".
    return (name or "").replace("_", "")


def find_all(root, predicate):
    """Showing nodes under root for which predicate holds, depth first."""
    found = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        try:
            if node is None or (depth > 0 and not showing(node)):
                continue
            if predicate(node):
                found.append(node)
            stack.extend((child, depth + 1) for child in reversed(list(node)))
        except Exception:
            # A node that went away while we walked: the next poll sees
            # the new tree.
            continue
    return found


def wait_for(what, probe, root, deadline=DEADLINE_S):
    end = time.monotonic() + deadline
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > end:
            bail(f"timed out after {deadline:.0f} s waiting for {what}", root)
        time.sleep(POLL_S)


def named(role, name, exact=True):
    """Role and name; exact also takes GTK 4.8's doubled button names."""
    def predicate(node):
        if node.getRole() != role:
            return False
        text = clean(node.name)
        if exact:
            return text == name or text == f"{name} {name}"
        return name in text
    return predicate


def find_one(root, predicate):
    nodes = find_all(root, predicate)
    return nodes[0] if nodes else None


def find_actionable(root, predicate):
    """The first node for which predicate holds that can be acted on."""
    return find_one(root, lambda n: predicate(n) and actionable(n))


def actionable(node):
    """Whether the node offers actions now (a node of a page being rebuilt
    may already have lost its interfaces)."""
    try:
        node.queryAction()
        return True
    except Exception:
        return False


def do_action(node, *names):
    action = node.queryAction()
    available = [action.getName(i) for i in range(action.nActions)]
    for name in names:
        if name in available:
            action.doAction(available.index(name))
            return
    bail(f"“{node.name}” ({node.getRoleName()}) has none of the actions {names}: {available}")


def find_application(pid):
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def main():
    binary, db_path = sys.argv[1], sys.argv[2]
    print(f"# starting {binary} --db {db_path} --connect {CONNECTION}", flush=True)
    process = subprocess.Popen([binary, "--db", db_path, "--connect", CONNECTION])
    try:
        run(process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    print(f"1..{_tests}", flush=True)


def run(process):
    def application():
        if process.poll() is not None:
            bail(f"the application exited with status {process.returncode}")
        return find_application(process.pid)

    app = wait_for("the application on the accessibility bus", application, None)
    ok("the application is on the accessibility bus")

    # Connected: the mechanic's pages are in the view switcher.
    live_tab = wait_for("the Live page in the view switcher", lambda: find_one(
        app, named(pyatspi.ROLE_PAGE_TAB, "Live")), app)
    ok("connected to the simulated vehicle")
    do_action(live_tab, "click", "activate", "press")

    def engine_speed():
        for node in find_all(app, lambda n: (n.name or "").startswith("Engine speed:")):
            match = re.match(r"Engine speed: (\d+) rpm", node.name)
            if match:
                return node.name, int(match.group(1))
        return None

    reading, rpm = wait_for("an engine speed reading on the Live page", engine_speed, app)
    if not 500 <= rpm <= 1200:
        bail(f"the idling engine reads {rpm} rpm: “{reading}”", app)
    ok(f"the Live page reads “{reading}”")

    codes_tab = find_one(app, named(pyatspi.ROLE_PAGE_TAB, "Codes"))
    if codes_tab is None:
        bail("no Codes page in the view switcher", app)
    do_action(codes_tab, "click", "activate", "press")
    wait_for("the stored code P0562", lambda: find_one(
        app, lambda n: "P0562" in (n.name or "")), app)
    ok("the Codes page lists P0562")

    # The code's guided repair, from the button beside the code (GTK 4.8
    # gives list rows no AT-SPI action, so a row cannot be opened here).
    start = wait_for("the guide button of P0562", lambda: find_one(
        app, named(pyatspi.ROLE_PUSH_BUTTON, "Start the guide for P0562")), app)
    do_action(start, "click")
    judge = wait_for("the guide's first step, a live check", lambda: find_one(
        app, named(pyatspi.ROLE_PUSH_BUTTON, "It Failed")), app)
    ok("the guide of P0562 starts at its live check")
    # The mechanic measured the charging voltage another way.
    do_action(judge, "click")
    wait_for("the question “Check the belt”", lambda: find_one(
        app, lambda n: (n.name or "") == "Check the belt"), app)
    answer = wait_for("the answer “Yes”", lambda: find_one(
        app, named(pyatspi.ROLE_PUSH_BUTTON, "Yes")), app)
    do_action(answer, "click")
    wait_for("the next step, “Measure at the alternator”", lambda: find_one(
        app, lambda n: (n.name or "") == "Measure at the alternator"), app)
    ok("the question is answered by the accessible name of its answer")
    later = find_one(app, named(pyatspi.ROLE_PUSH_BUTTON, "Later"))
    if later is None:
        bail("no Later button to leave the guide", app)
    do_action(later, "click")
    codes_tab = wait_for("the Codes page in the view switcher", lambda: find_actionable(
        app, named(pyatspi.ROLE_PAGE_TAB, "Codes")), app)
    do_action(codes_tab, "click", "activate", "press")
    wait_for("the stored code P0562 again", lambda: find_one(
        app, lambda n: "P0562" in (n.name or "")), app)

    clear = wait_for("the Clear Codes… button", lambda: find_one(
        app, named(pyatspi.ROLE_PUSH_BUTTON, "Clear Codes…", exact=False)), app)
    do_action(clear, "click")

    # The confirmation is a dialog of its own; its “Clear” response.
    def confirm_button():
        for window in app:
            if window is None or "Clear Trouble Codes" not in (window.name or "") and \
                    find_one(window, lambda n: "Clear Trouble Codes" in (n.name or "")) is None:
                continue
            button = find_one(window, named(pyatspi.ROLE_PUSH_BUTTON, "Clear"))
            if button is not None:
                return button
        return None

    confirm = wait_for("the confirmation dialog", confirm_button, app)
    ok("the confirmation dialog asks before clearing")
    do_action(confirm, "click")

    wait_for("“No Trouble Codes” after clearing", lambda: find_one(
        app, lambda n: (n.name or "") == "No Trouble Codes"), app)
    if find_one(app, lambda n: "P0562" in (n.name or "")) is not None:
        bail("P0562 is still listed after clearing", app)
    ok("the codes list is empty after clearing")

    if process.poll() is not None:
        bail(f"the application exited with status {process.returncode}")
    ok("the application is still running")


if __name__ == "__main__":
    main()

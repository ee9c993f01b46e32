#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-guide-translations.py SRCDIR: what a mechanic acts on survives the
# translation of the guides (data/guides/*.xml).  For every translated,
# non-fuzzy string of a guide in each po/LANG.po of po/LINGUAS:
#   - every number of the English is still there (80 °C, 2500 rpm, 0.3 V,
#     P0128): a translator may write 0,3 or 2.500 or 2 500, not another
#     number; the units are converted at run time, so they stay as written;
#   - it starts in upper case when the English does (titles, answers and
#     repairs are shown on their own), and carries no stray white space;
#   - a sentence keeps its closing full stop or question mark, a title or
#     an answer gets none it did not have.
# Untranslated strings are not judged here (the translations test and the
# catalogue statistics count them).  Python standard library only; it
# reuses the .po reader of check-kb-translations.py.
#
# check-guide-translations.py --self-test: the rules on strings that must
# pass and strings that must fail.

import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    'check_kb_translations', os.path.join(HERE, 'check-kb-translations.py'))
kb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kb)

GUIDES = 'data/guides/'
NUMBER = re.compile(r'\d+')
ENDINGS = ('.', '?', '!', ':')


def numbers(text):
    """The digit runs of text, thousands separators removed, decimal commas
    and points split the same way."""
    return NUMBER.findall(kb.GROUPING.sub('', text))


def ending(text):
    text = text.rstrip()
    return text[-1] if text and text[-1] in ENDINGS else ''


def problems(msgid, msgstr):
    found = []
    have = numbers(msgstr)
    for n in numbers(msgid):
        if n in have:
            have.remove(n)
        else:
            found.append('lost the number {}'.format(n))
            break
    if msgstr != msgstr.strip() or '  ' in msgstr or '\n' in msgstr:
        found.append('has stray white space')
    if msgid[:1].isupper() and msgstr[:1].islower():
        found.append('starts in lower case')
    want, got = ending(msgid), ending(msgstr)
    # A question may become a request and back (“Is there a leak?” can end
    # in a full stop in a language that asks differently), but a sentence
    # must stay a sentence and a heading a heading.
    if bool(want) != bool(got) and not (want == '' and got == '…'):
        found.append('ends with “{}” where the English ends with “{}”'.format(got, want))
    return found


def check_language(srcdir, lang):
    path = os.path.join(srcdir, 'po', lang + '.po')
    errors = []
    checked = 0
    for e in kb.read_po(path):
        if not e['msgid'] or e['fuzzy'] or not e['msgstr'] or not all(e['msgstr']):
            continue
        if not any(r.startswith(GUIDES) for r in e['refs']):
            continue
        checked += 1
        for p in problems(e['msgid'], e['msgstr'][0]):
            errors.append('po/{}.po: "{}" -> "{}": {}'.format(lang, e['msgid'], e['msgstr'][0], p))
    return errors, checked


def self_test():
    cases = [
        ('Hold about 2500 rpm and measure across the battery posts.',
         'Etwa 2500 1/min halten und zwischen den Batteriepolen messen.', True),
        ('Hold about 2500 rpm and measure across the battery posts.',
         'Mantener unas 2.500 rpm y medir entre los bornes.', True),
        ('The drop should be no more than 0.3 V.', 'Der Abfall sollte höchstens 0,3 V betragen.', True),
        ('The drop should be no more than 0.3 V.', 'Der Abfall sollte höchstens 3 V betragen.', False),
        ('Within 10 % of the target.', 'Innerhalb von 15 % des Sollwerts.', False),
        ('Codes from P0450 to P0454 are about the tank pressure sensor.',
         'Die Codes P0450 bis P0454 betreffen den Tankdrucksensor.', True),
        ('Is the coolant level right?', 'Stimmt der Kühlmittelstand?', True),
        ('Is the coolant level right?', 'Stimmt der Kühlmittelstand', False),
        ('Check the belt', 'Riemen prüfen', True),
        ('Check the belt', 'Riemen prüfen.', False),
        ('Check the belt', 'riemen prüfen', False),
        ('Check the belt', 'Riemen  prüfen', False),
    ]
    failed = 0
    for msgid, msgstr, ok in cases:
        got = problems(msgid, msgstr)
        if (not got) != ok:
            failed += 1
            print('self-test: "{}" -> "{}" should {} but gave {}'.format(
                msgid, msgstr, 'pass' if ok else 'fail', got or 'no problem'), file=sys.stderr)
    print('{} self-test case(s), {} failed'.format(len(cases), failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and argv[1] == '--self-test':
        return self_test()
    if len(argv) != 2:
        print('usage: check-guide-translations.py SRCDIR | --self-test', file=sys.stderr)
        return 2
    srcdir = argv[1]
    langs = []
    linguas = os.path.join(srcdir, 'po', 'LINGUAS')
    if os.path.exists(linguas):
        with open(linguas, encoding='utf-8') as f:
            for line in f:
                langs += line.split('#', 1)[0].split()
    status = 0
    for lang in langs:
        if not os.path.exists(os.path.join(srcdir, 'po', lang + '.po')):
            continue  # check-po.sh reports the missing file
        try:
            errors, checked = check_language(srcdir, lang)
        except (OSError, ValueError) as e:
            errors, checked = [str(e)], 0
        for e in errors:
            print(e, file=sys.stderr)
        if errors:
            status = 1
        else:
            print('po/{}.po: {} translated guide strings keep their numbers'.format(lang, checked))
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv))

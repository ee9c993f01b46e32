#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-kb-translations.py SRCDIR: every language in po/LINGUAS translates
# the whole trouble-code knowledge base (issue 12) and keeps what a
# mechanic relies on.  For each po/LANG.po:
#   - every title, explanation and cause of data/dtc/generic.xml is in the
#     file (else the catalogue was not updated with msgmerge), translated
#     and not fuzzy; so is every string of src/obd/obd-dtc-kb.c;
#   - each letter designator ("A") of the English text is still there, in
#     straight or typographic quotes, and so is every number (bank, sensor,
#     cylinder, stage);
#   - explanations end with a full stop, causes do not (they are list
#     items), and no translation starts in lower case or carries stray
#     spaces.
# Strings of the rest of the UI are not checked here: they may still be
# untranslated.  Python standard library only, so it runs on a bare build
# machine.
#
# check-kb-translations.py --self-test: checks the rules themselves on
# strings that must pass and strings that must fail.

import os
import re
import sys
import xml.etree.ElementTree as ET

KB_SOURCES = ('data/dtc/generic.xml', 'src/obd/obd-dtc-kb.c')
DESIGNATOR = re.compile(r'"([A-Z])"')
NUMBER = re.compile(r'\b\d+\b')
# Thousands separators a translator may add between digit groups.
GROUPING = re.compile(r'(?<=\d)[.,\u00a0\u202f ](?=\d{3}\b)')
QUOTES = ('"{}"', '„{}“', '“{}”', '‚{}‘', '«{}»', '« {} »', '«\u00a0{}\u00a0»',
          '«\u202f{}\u202f»', '»{}«', '‹{}›')


def normalise(text):
    return ' '.join(text.split())


def read_kb(srcdir):
    """Returns {msgid: kind} for the knowledge base of generic.xml."""
    kinds = {}
    root = ET.parse(os.path.join(srcdir, KB_SOURCES[0])).getroot()
    for code in root.iter('code'):
        for tag, kind in (('title', 'title'), ('explanation', 'explanation')):
            node = code.find(tag)
            if node is not None and node.text:
                kinds.setdefault(normalise(node.text), kind)
        for cause in code.iter('cause'):
            if cause.text:
                kinds.setdefault(normalise(cause.text), 'cause')
    return kinds


def unquote(line, path, lineno):
    m = re.fullmatch(r'\s*"(.*)"\s*', line)
    if m is None:
        raise ValueError('{}:{}: expected a quoted string'.format(path, lineno))
    out = []
    s = m.group(1)
    i = 0
    escapes = {'n': '\n', 't': '\t', '"': '"', '\\': '\\', 'r': '\r', 'a': '\a'}
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            out.append(escapes.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def read_po(path):
    """Returns a list of entries: dicts with msgctxt, msgid, msgstr (list),
    fuzzy and refs.  Obsolete (#~) entries are skipped."""
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and 'msgid' in entry:
            entries.append(entry)

    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip():
                continue
            if line.startswith('#~'):
                continue
            if line.startswith('#'):
                if entry is not None and 'msgid' in entry and field is not None:
                    finish()
                    entry = None
                if entry is None:
                    entry = {'msgctxt': None, 'msgstr': [], 'fuzzy': False, 'refs': []}
                    field = None
                if line.startswith('#,') and 'fuzzy' in line:
                    entry['fuzzy'] = True
                elif line.startswith('#:'):
                    entry['refs'] += [r.rsplit(':', 1)[0] for r in line[2:].split()]
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)', line)
            if m:
                key, rest = m.groups()
                if key in ('msgctxt', 'msgid') and entry is not None and 'msgid' in entry \
                        and field is not None and field.startswith('msgstr'):
                    finish()
                    entry = None
                if entry is None:
                    entry = {'msgctxt': None, 'msgstr': [], 'fuzzy': False, 'refs': []}
                field = key
                value = unquote(rest, path, lineno)
                if key.startswith('msgstr'):
                    entry['msgstr'].append(value)
                else:
                    entry[key] = value
                continue
            if entry is None or field is None:
                raise ValueError('{}:{}: text outside an entry'.format(path, lineno))
            value = unquote(line, path, lineno)
            if field.startswith('msgstr'):
                entry['msgstr'][-1] += value
            else:
                entry[field] += value
    finish()
    return entries


def has_designator(letter, text):
    return any(q.format(letter) in text for q in QUOTES)


def problems(msgid, msgstr, kind):
    """What is wrong with one translated knowledge-base string."""
    found = []
    for letter in DESIGNATOR.findall(msgid):
        if not has_designator(letter, msgstr):
            found.append('lost the designator "{}"'.format(letter))
    wanted = NUMBER.findall(msgid)
    have = NUMBER.findall(GROUPING.sub('', msgstr))
    for n in wanted:
        if n in have:
            have.remove(n)
        else:
            found.append('lost the number {}'.format(n))
            break
    if msgstr != msgstr.strip() or '  ' in msgstr or '\n' in msgstr:
        found.append('has stray white space')
    if msgstr[:1].islower():
        found.append('starts in lower case')
    if kind == 'explanation' and not msgstr.endswith('.'):
        found.append('explanation does not end with a full stop')
    if kind == 'cause' and msgstr.endswith('.'):
        found.append('cause ends with a full stop')
    return found


def check_language(srcdir, lang, kb):
    path = os.path.join(srcdir, 'po', lang + '.po')
    errors = []
    by_id = {}
    for e in read_po(path):
        if e['msgctxt'] is None:
            by_id[e['msgid']] = e
    wanted = dict(kb)
    for msgid, e in by_id.items():
        if msgid and any(r == KB_SOURCES[1] for r in e['refs']):
            wanted.setdefault(msgid, 'label')
    missing = untranslated = fuzzy = 0
    for msgid, kind in sorted(wanted.items()):
        e = by_id.get(msgid)
        if e is None:
            missing += 1
            if missing <= 5:
                errors.append('po/{}.po lacks "{}"'.format(lang, msgid))
            continue
        if e['fuzzy']:
            fuzzy += 1
            if fuzzy <= 5:
                errors.append('po/{}.po: "{}" is fuzzy'.format(lang, msgid))
            continue
        if not e['msgstr'] or not all(e['msgstr']):
            untranslated += 1
            if untranslated <= 5:
                errors.append('po/{}.po: "{}" is not translated'.format(lang, msgid))
            continue
        for p in problems(msgid, e['msgstr'][0], kind):
            errors.append('po/{}.po: "{}" -> "{}": {}'.format(lang, msgid, e['msgstr'][0], p))
    if missing:
        errors.append('po/{}.po lacks {} knowledge-base strings: update it with '
                      '"ninja -C BUILDDIR obd2-diagnostics-update-po" and translate them'
                      .format(lang, missing))
    if untranslated:
        errors.append('po/{}.po leaves {} knowledge-base strings untranslated'.format(lang, untranslated))
    if fuzzy:
        errors.append('po/{}.po has {} fuzzy knowledge-base strings: review them and '
                      'remove the fuzzy flag'.format(lang, fuzzy))
    return errors, len(wanted)


def self_test():
    cases = [
        # (msgid, msgstr, kind, should pass)
        ('Camshaft Position Sensor "A" Circuit (Bank 1)',
         'Nockenwellenpositionssensor "A" – Stromkreis (Bank 1)', 'title', True),
        ('Camshaft Position Sensor "A" Circuit (Bank 1)',
         'Capteur de position d\u2019arbre à cames «\u00a0A\u00a0» (rangée 1)', 'title', True),
        ('Camshaft Position Sensor "A" Circuit (Bank 1)',
         'Nockenwellenpositionssensor A – Stromkreis (Bank 1)', 'title', False),
        ('Camshaft Position Sensor "A" Circuit (Bank 1)',
         'Nockenwellenpositionssensor "A" – Stromkreis', 'title', False),
        ('O2 Sensor Circuit (Bank 1 Sensor 2)',
         'Lambdasonde – Stromkreis (Bank 1 Sensor 2)', 'title', True),
        ('O2 Sensor Circuit (Bank 1 Sensor 1)',
         'Lambdasonde – Stromkreis (Bank 1)', 'title', False),
        ('Engine Misfire Detected on Startup (First 1000 Revolutions)',
         'Fehlzündung beim Start erkannt (erste 1.000 Umdrehungen)', 'title', True),
        ('The engine is overheating. Stop as soon as it is safe.',
         'Der Motor überhitzt. Halten Sie an, sobald es sicher möglich ist.', 'explanation', True),
        ('The engine is overheating. Stop as soon as it is safe.',
         'Der Motor überhitzt; halten Sie an', 'explanation', False),
        ('Stretched timing chain', 'Gelängte Steuerkette', 'cause', True),
        ('Stretched timing chain', 'Gelängte Steuerkette.', 'cause', False),
        ('Stretched timing chain', 'gelängte Steuerkette', 'cause', False),
        ('Stretched timing chain', 'Gelängte  Steuerkette', 'cause', False),
    ]
    failed = 0
    for msgid, msgstr, kind, ok in cases:
        got = problems(msgid, msgstr, kind)
        if (not got) != ok:
            failed += 1
            print('self-test: "{}" -> "{}" should {} but gave {}'.format(
                msgid, msgstr, 'pass' if ok else 'fail', got or 'no problem'), file=sys.stderr)
    sample = ('# comment\nmsgid ""\nmsgstr ""\n"Language: xx\\n"\n\n'
              '#: data/dtc/generic.xml:1\n#, fuzzy\nmsgid "A \\"B\\""\nmsgstr ""\n"C "\n"\\"D\\""\n\n'
              '#~ msgid "old"\n#~ msgstr "alt"\n')
    tmp = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'kb-selftest-{}.po'.format(os.getpid()))
    try:
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(sample)
        entries = read_po(tmp)
    finally:
        os.unlink(tmp)
    if [(e['msgid'], e['msgstr'], e['fuzzy'], e['refs']) for e in entries] != \
            [('', ['Language: xx\n'], False, []), ('A "B"', ['C "D"'], True, ['data/dtc/generic.xml'])]:
        failed += 1
        print('self-test: the po reader read {}'.format(entries), file=sys.stderr)
    print('{} self-test case(s), {} failed'.format(len(cases) + 1, failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and argv[1] == '--self-test':
        return self_test()
    if len(argv) != 2:
        print('usage: check-kb-translations.py SRCDIR | --self-test', file=sys.stderr)
        return 2
    srcdir = argv[1]
    linguas = os.path.join(srcdir, 'po', 'LINGUAS')
    langs = []
    if os.path.exists(linguas):
        with open(linguas, encoding='utf-8') as f:
            for line in f:
                langs += line.split('#', 1)[0].split()
    kb = read_kb(srcdir)
    status = 0
    for lang in langs:
        if not os.path.exists(os.path.join(srcdir, 'po', lang + '.po')):
            continue  # check-po.sh reports the missing file
        try:
            errors, count = check_language(srcdir, lang, kb)
        except (OSError, ValueError) as e:
            errors, count = [str(e)], 0
        for e in errors:
            print(e, file=sys.stderr)
        if errors:
            status = 1
        else:
            print('po/{}.po: {} knowledge-base strings translated'.format(lang, count))
    if not langs:
        print('no languages in po/LINGUAS')
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-potfiles-formats.py SRCDIR XGETTEXT: no string of a file that is
# not C source is marked as a C format string in the template.
#
# xgettext 0.21 extracts the XML files (trouble codes, guides, desktop
# entry, metainfo, schema, GtkBuilder files) with ITS rules, and applies
# to them the C format-string guess of the last C file it read before
# them.  A guide sentence such as "within 10 % of the target" then becomes
# "#, c-format" (it reads "% o" as a directive), and msgfmt --check
# rejects every translation that does not happen to contain a matching
# directive ("10 % del objetivo" holds "% d").  The strings are never
# given to printf, so the flag is wrong; the cure is to list such files in
# po/POTFILES.in before the first C file.  This runs xgettext over
# po/POTFILES.in as the update-po target does and names the strings that
# came out marked.
#
# check-potfiles-formats.py --self-test XGETTEXT: shows on a C file and a
# guide that the check sees the mark when the guide follows the C file,
# and no mark when it comes first.

import os
import re
import subprocess
import sys
import tempfile

# The folders whose its/ subfolder holds ITS rules, as po/meson.build
# gives them to xgettext.
DATA_DIRS = ('data/dtc', 'data/guides')
KEYWORDS = ('-k_', '-kN_', '-kC_:1c,2', '-kNC_:1c,2', '-kg_dngettext:2,3',
            '-kngettext:1,2')


def extract(xgettext, srcdir, potfiles, data_dirs):
    """Runs xgettext as po/meson.build does; returns the template text."""
    env = dict(os.environ)
    env['GETTEXTDATADIRS'] = os.pathsep.join(
        os.path.join(srcdir, d) for d in data_dirs)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'check.pot')
        subprocess.run([xgettext, '--from-code=UTF-8', *KEYWORDS,
                        '--directory=' + srcdir, '--files-from=' + potfiles,
                        '--output=' + out],
                       check=True, env=env, stderr=subprocess.PIPE)
        with open(out, encoding='utf-8') as f:
            return f.read()


def marked_outside_c(pot):
    """Returns (first reference, msgid) of every entry marked c-format
    whose references are all outside C sources."""
    found = []
    for block in pot.split('\n\n'):
        lines = block.split('\n')
        refs = [r for line in lines if line.startswith('#:')
                for r in line[2:].split()]
        flags = [f.strip() for line in lines if line.startswith('#,')
                 for f in line[2:].split(',')]
        if not refs or 'c-format' not in flags:
            continue
        if any(re.search(r'\.[ch]:\d+$', r) for r in refs):
            continue
        msgid = ''.join(re.findall(r'^(?:msgid )?"(.*)"$',
                                   block.split('msgid ', 1)[1].split('\nmsgstr')[0],
                                   re.M))
        found.append((refs[0], msgid))
    return found


def check(srcdir, xgettext):
    pot = extract(xgettext, srcdir, os.path.join(srcdir, 'po', 'POTFILES.in'),
                  DATA_DIRS)
    found = marked_outside_c(pot)
    for ref, msgid in found:
        print('{}: "{}" is marked c-format but is no C string: list its '
              'file in po/POTFILES.in before the first C file'.format(ref, msgid),
              file=sys.stderr)
    print('{} string(s) outside C sources marked c-format'.format(len(found)))
    return 1 if found else 0


def self_test(xgettext):
    guide = ('<?xml version="1.0"?>\n<guide id="t" version="1">'
             '<title>Idle within 10 % of the target</title></guide>\n')
    c_source = 'const char *s = _("Read %s");\n'
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, 'src'))
        os.makedirs(os.path.join(tmp, 'data', 'guides'))
        with open(os.path.join(tmp, 'src', 'a.c'), 'w') as f:
            f.write(c_source)
        with open(os.path.join(tmp, 'data', 'guides', 't.xml'), 'w') as f:
            f.write(guide)
        here = os.path.dirname(os.path.abspath(__file__))
        rules = os.path.join(here, '..', '..', 'data', 'guides')
        results = {}
        for name, order in (('after', ('src/a.c', 'data/guides/t.xml')),
                            ('before', ('data/guides/t.xml', 'src/a.c'))):
            potfiles = os.path.join(tmp, name + '.in')
            with open(potfiles, 'w') as f:
                f.write('# test\n' + '\n'.join(order) + '\n')
            env_dirs = (os.path.abspath(rules),)
            results[name] = marked_outside_c(
                extract(xgettext, tmp, potfiles, env_dirs))
    ok = True
    if [m for _, m in results['after']] != ['Idle within 10 % of the target']:
        print('self-test: a guide after a C file was not caught: {}'.format(
            results['after']), file=sys.stderr)
        ok = False
    if results['before']:
        print('self-test: a guide before the C files was flagged: {}'.format(
            results['before']), file=sys.stderr)
        ok = False
    print('self-test', 'passed' if ok else 'failed')
    return 0 if ok else 1


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--self-test':
        sys.exit(self_test(sys.argv[2]))
    if len(sys.argv) != 3:
        print('usage: check-potfiles-formats.py SRCDIR XGETTEXT | '
              '--self-test XGETTEXT', file=sys.stderr)
        sys.exit(2)
    sys.exit(check(sys.argv[1], sys.argv[2]))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-po-formats.py SRCDIR XGETTEXT: extracts the template the way
# `ninja obd2-diagnostics-update-po` does (po/POTFILES.in in its order, the
# GLib keywords, the ITS rules of data/dtc and data/guides) and fails when a
# string that only a data file holds (a guide, the trouble-code table, the
# desktop entry, the metainfo, the schema) comes out flagged c-format.
# Those texts are never printf formats, but xgettext 0.21 guesses C formats
# in whatever it reads after a C file, so "within 10 % of" became a "% o"
# directive and msgfmt --check demanded it in every translation.  Listing
# the data files first in po/POTFILES.in avoids it; this keeps it so.
#
# check-po-formats.py --self-test: the template reader and the rule, on a
# template that must pass and one that must fail.

import os
import subprocess
import sys
import tempfile

# What po/meson.build's i18n.gettext(preset: 'glib') passes: with the
# --flag options xgettext knows which C strings are formats, and warns when
# one is cut short.
KEYWORDS = ['--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
            '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
            '--keyword=g_dpgettext2:2c,3',
            '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format',
            '--flag=NC_:2:pass-c-format', '--flag=g_dngettext:2:pass-c-format',
            '--flag=g_strdup_printf:1:c-format', '--flag=g_string_printf:2:c-format',
            '--flag=g_string_append_printf:2:c-format', '--flag=g_error_new:3:c-format',
            '--flag=g_set_error:4:c-format', '--flag=g_markup_printf_escaped:1:c-format',
            '--flag=g_log:3:c-format', '--flag=g_print:1:c-format',
            '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
            '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format',
            '--flag=g_snprintf:3:c-format']
DATA_DIRS = ('data/dtc', 'data/guides')


def read_potfiles(srcdir):
    files = []
    with open(os.path.join(srcdir, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                files.append(line)
    return files


def read_template(text):
    """Returns a list of (refs, flags, msgid) from a .pot's text."""
    entries = []
    refs, flags, msgid, field = [], set(), None, None
    for line in text.splitlines() + ['']:
        if not line.strip():
            if msgid is not None:
                entries.append((refs, flags, msgid))
            refs, flags, msgid, field = [], set(), None, None
        elif line.startswith('#:'):
            refs += [r.rsplit(':', 1)[0] for r in line[2:].split()]
        elif line.startswith('#,'):
            flags |= {f.strip() for f in line[2:].split(',')}
        elif line.startswith('msgid '):
            msgid, field = line[6:].strip()[1:-1], 'msgid'
        elif line.startswith('"') and field == 'msgid':
            msgid += line.strip()[1:-1]
        elif line.startswith('msg'):
            field = None
    return entries


def problems(entries):
    found = []
    for refs, flags, msgid in entries:
        if not msgid or 'c-format' not in flags:
            continue
        if refs and all(r.startswith('data/') for r in refs):
            found.append('{}: “{}” is flagged c-format, but it is not a format: list the '
                         'data files before every C file in po/POTFILES.in'
                         .format(refs[0], msgid))
    return found


def extract(srcdir, xgettext, warnings=None):
    """The template's text; xgettext's warnings are added to warnings."""
    files = read_potfiles(srcdir)
    env = dict(os.environ)
    env['GETTEXTDATADIRS'] = os.pathsep.join(os.path.join(srcdir, d) for d in DATA_DIRS)
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'check.pot')
        result = subprocess.run([xgettext, '--from-code=UTF-8', '--add-comments', '-D', srcdir,
                        '-o', pot] + KEYWORDS + files, env=env, check=True,
                       stderr=subprocess.PIPE, text=True)
        if warnings is not None:
            warnings += [l for l in result.stderr.splitlines() if 'warning' in l]
        with open(pot, encoding='utf-8') as f:
            return f.read()


def self_test():
    good = ('#: data/guides/a.xml:3\nmsgid "Within 10 % of the target."\nmsgstr ""\n\n'
            '#: src/obd/b.c:7\n#, c-format\nmsgid "PID %02X"\nmsgstr ""\n\n'
            '#: data/guides/a.xml:9 src/cli/c.c:4\n#, c-format\nmsgid "Shared %s"\nmsgstr ""\n')
    bad = ('#: data/guides/a.xml:3\n#, c-format\nmsgid ""\n"Within 10 % "\n"of the target."\n'
           'msgstr ""\n')
    failed = 0
    if problems(read_template(good)):
        print('self-test: a clean template was reported: {}'.format(problems(read_template(good))),
              file=sys.stderr)
        failed += 1
    got = problems(read_template(bad))
    if len(got) != 1 or 'Within 10 % of the target.' not in got[0]:
        print('self-test: a guide text flagged c-format was not reported: {}'.format(got),
              file=sys.stderr)
        failed += 1
    print('2 self-test case(s), {} failed'.format(failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and argv[1] == '--self-test':
        return self_test()
    if len(argv) != 3:
        print('usage: check-po-formats.py SRCDIR XGETTEXT | --self-test', file=sys.stderr)
        return 2
    warnings = []
    try:
        entries = read_template(extract(argv[1], argv[2], warnings))
    except (OSError, subprocess.CalledProcessError) as e:
        print('could not extract the template: {}'.format(e), file=sys.stderr)
        return 1
    found = problems(entries)
    # A number's format macro (G_GINT64_FORMAT) cuts a msgid short: use
    # PRId64, which xgettext and gettext() understand, or %zu for a gsize.
    found += [w for w in warnings if 'format string' in w]
    for p in found:
        print(p, file=sys.stderr)
    if not found:
        print('{} strings extracted; no data-file text is flagged c-format'.format(len(entries)))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

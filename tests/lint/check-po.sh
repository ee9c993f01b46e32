#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-po.sh SRCDIR MSGFMT: runs `msgfmt --check` (syntax, headers, printf
# formats matching the msgid) on every po/*.po, and checks that every
# language listed in po/LINGUAS has its .po file.  No translations is a pass.

srcdir=$1
msgfmt=$2
status=0
count=0

for f in "$srcdir"/po/*.po; do
  [ -e "$f" ] || continue
  count=$((count + 1))
  if ! "$msgfmt" --check --output-file=/dev/null "$f"; then
    echo "msgfmt --check failed: ${f#"$srcdir"/}" >&2
    status=1
  fi
done

if [ -f "$srcdir/po/LINGUAS" ]; then
  # LINGUAS may hold several languages on a line: split into words.
  langs=$(sed -e 's/#.*//' "$srcdir/po/LINGUAS")
  for lang in $langs; do
    if [ ! -f "$srcdir/po/$lang.po" ]; then
      echo "po/LINGUAS lists $lang but po/$lang.po does not exist" >&2
      status=1
    fi
  done
fi

echo "$count translation(s) checked"
exit $status

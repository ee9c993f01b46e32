#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-potfiles-order.sh SRCDIR: po/POTFILES.in lists the data files
# (guides, trouble-code table, desktop entry, metainfo, schema) before any
# C source.  xgettext 0.21 keeps the C format-string parser of the last C
# file it read for the files extracted after it, so a guide text such as
# "within 10 % of the target" ("% o" looks like a directive) came out
# marked c-format, and msgfmt --check then demanded the same bogus
# directive in every translation.

potfiles="$1/po/POTFILES.in"
status=0
first_c=

lineno=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  file=${line%%#*}
  file=$(printf '%s' "$file" | sed -e 's/[[:space:]]*$//')
  case "$file" in
    '') ;;
    *.c) [ -n "$first_c" ] || first_c="$lineno: $file" ;;
    data/*)
      if [ -n "$first_c" ]; then
        echo "po/POTFILES.in:$lineno: $file comes after the C source on line $first_c;" \
             "list the data files first (xgettext would mark their texts c-format)" >&2
        status=1
      fi
      ;;
  esac
done < "$potfiles"

exit $status

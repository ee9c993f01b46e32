#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-potfiles.sh SRCDIR: po/POTFILES.in must name only files that exist,
# and every file with translatable strings must be in it, or its strings
# never reach translators.  Files with translatable strings are: C sources
# under src/ that call _(), N_(), C_(), NC_() or ngettext(); GtkBuilder files
# under ui/ and src/ with translatable="yes"; the desktop entry, metainfo and
# GSettings schema templates in data/; the trouble-code table and the
# guides (XML under data/dtc and data/guides, extracted with ITS rules).

srcdir=$1
potfiles="$srcdir/po/POTFILES.in"
status=0
listed=$(mktemp)
trap 'rm -f "$listed"' EXIT

sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles" | sort -u > "$listed"

while read -r f; do
  if [ ! -f "$srcdir/$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist" >&2
    status=1
  fi
done < "$listed"

cd "$srcdir" || exit 1
candidates=$(
  {
    find src -name '*.c' -type f -exec \
      grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)[[:space:]]*\(' {} +
    find ui src -name '*.ui' -type f -exec grep -lE 'translatable="(yes|true|1)"' {} + 2>/dev/null
    find data -maxdepth 1 -type f \( -name '*.desktop.in*' -o -name '*.metainfo.xml.in*' \
      -o -name '*.gschema.xml' \)
    find data/dtc data/guides -maxdepth 1 -type f -name '*.xml' 2>/dev/null
  } | sort -u
)

for f in $candidates; do
  if ! grep -qxF "$f" "$listed"; then
    echo "$f has translatable strings but is not in po/POTFILES.in" >&2
    status=1
  fi
done

exit $status

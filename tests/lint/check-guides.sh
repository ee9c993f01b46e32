#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-guides.sh SRCDIR XMLLINT XGETTEXT: every guide in data/guides/
# validates against the schema the program uses (guide.rng), and the ITS
# rules in data/guides/its/ make xgettext extract its texts — its title,
# for one — so translators get them.  The program looks the texts up with
# whitespace normalised the way xgettext writes the msgids.

srcdir=$1
xmllint=$2
xgettext=$3
status=0
guides="$srcdir/data/guides"
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT

set -- "$guides"/*.xml
if [ ! -f "$1" ]; then
  echo "no guides in data/guides" >&2
  exit 1
fi

out=$(mktemp)
if ! "$xmllint" --noout --relaxng "$guides/guide.rng" "$@" >"$out" 2>&1; then
  grep -v ' validates$' "$out" >&2
  status=1
fi
rm -f "$out"
"$xmllint" --noout "$guides/its/guides.its" "$guides/its/guides.loc" || status=1

if ! GETTEXTDATADIRS="$guides" "$xgettext" --from-code=UTF-8 -o "$pot" "$@"; then
  echo "xgettext failed on the guides" >&2
  exit 1
fi
for f in "$@"; do
  # The first <title> is the guide's; it must be in the template, as the
  # program will look it up (one line, whitespace collapsed).
  title=$(sed -n 's/.*<title>\(.*\)<\/title>.*/\1/p' "$f" | head -n 1)
  if [ -z "$title" ]; then
    echo "${f#"$srcdir"/}: no one-line <title> to look for" >&2
    status=1
  elif ! grep -qF "msgid \"$title\"" "$pot"; then
    echo "${f#"$srcdir"/}: its title “$title” was not extracted for translation" >&2
    status=1
  fi
done

exit $status

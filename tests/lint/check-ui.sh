#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-ui.sh SRCDIR XMLLINT: checks that every GtkBuilder file (ui/*.ui and
# src/**/*.ui) is well-formed XML and uses no AdwClamp (ObdClamp instead:
# AdwClamp marks its child "small", "medium" or "large" when first
# allocated, and GTK then styles the whole page under it a second time;
# see src/widgets/obd-clamp.h).  Globbed when the test runs, so files
# added after `meson setup` are checked too; no files is a pass.

srcdir=$1
xmllint=$2
status=0
count=0

for f in $(find "$srcdir/ui" "$srcdir/src" -name '*.ui' -type f 2>/dev/null | sort); do
  count=$((count + 1))
  if ! "$xmllint" --noout "$f"; then
    echo "not well-formed: ${f#"$srcdir"/}" >&2
    status=1
  fi
  if grep -n 'class="AdwClamp"' "$f" >&2; then
    echo "${f#"$srcdir"/}: use ObdClamp, not AdwClamp (see src/widgets/obd-clamp.h)" >&2
    status=1
  fi
done

echo "$count UI file(s) checked"
exit $status

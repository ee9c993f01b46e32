#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# no-output.sh COMMAND [ARGS...]: runs COMMAND and fails if it fails or
# prints anything, for validators that report warnings and hints but still
# exit 0.

out=$("$@" 2>&1)
rc=$?
if [ -n "$out" ]; then
  printf '%s\n' "$out" >&2
  [ $rc -eq 0 ] && rc=1
fi
exit $rc

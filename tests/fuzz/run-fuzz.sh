#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the fuzz targets with clang's libFuzzer (plus ASan and UBSan) in a
# temporary directory and runs them on a copy of their seed corpora,
# sharing SECONDS (default 30) between them: each target runs
# SECONDS / number-of-targets seconds, at least 1.  The project sources are
# compiled once into one archive that every target links.  Fails on any
# crash, leak, sanitizer report or timeout; the reproducer is kept and its
# path printed.
#
#   tests/fuzz/run-fuzz.sh [SECONDS [TARGET...]]
#
# TARGET is a file name without .c (fuzz-dtc); default: every fuzz-*.c
# here except the replay driver and the shared helpers.  A dictionary
# corpus/../<name without "fuzz-">.dict is passed to its target.
#
# Needs clang and libclang-rt-14-dev (Debian), and glib's development files.
set -eu

seconds=${1:-30}
case $seconds in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS [TARGET...]]" >&2; exit 2 ;;
esac
[ $# -gt 0 ] && shift

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CC_FUZZ:-clang}
AR=${AR_FUZZ:-ar}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "$0: $CC not found; install clang and libclang-rt-14-dev" >&2
  exit 1
fi

if [ $# -gt 0 ]; then
  targets=$*
else
  targets=
  for src in "$here"/fuzz-*.c; do
    name=$(basename "$src" .c)
    case $name in
      fuzz-replay|fuzz-common) ;;
      *) targets="$targets $name" ;;
    esac
  done
fi
for name in $targets; do
  if [ ! -f "$here/$name.c" ]; then
    echo "$0: no target $name ($here/$name.c)" >&2
    exit 2
  fi
done
# shellcheck disable=SC2086 # a list of names without blanks
set -- $targets
per=$((seconds / $#))
[ "$per" -ge 1 ] || per=1

work=$(mktemp -d "${TMPDIR:-/tmp}/obd-fuzz.XXXXXX")
keep=0
cleanup () {
  if [ "$keep" = 0 ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The sources include config.h first; the build's one is not needed.
cat > "$work/config.h" <<'CONFIG'
#define PACKAGE_VERSION "fuzz"
#define GETTEXT_PACKAGE "obd2-diagnostics"
#define LOCALEDIR "/usr/share/locale"
#define APP_ID "io.github.obd2diagnostics.Workshop"
#define RESOURCE_PATH "/io/github/obd2diagnostics/Workshop"
CONFIG

# The VIN decoder reads its manufacturer table from the GResource.
glib-compile-resources --sourcedir="$top/data" --c-name obd \
  --generate-source --target="$work/obd-resources.c" "$top/src/obd/obd.gresource.xml"
glib-compile-resources --sourcedir="$top/data" --c-name obd \
  --generate-header --target="$work/obd-resources.h" "$top/src/obd/obd.gresource.xml"

# The guide parser reads its schema from its own GResource; only the
# schema is needed here, the shipped guides are in the corpus.
cat > "$work/obd-guide.gresource.xml" <<'GRESOURCE'
<?xml version="1.0" encoding="UTF-8"?>
<gresources>
  <gresource prefix="/io/github/obd2diagnostics/Workshop/guide">
    <file alias="guide.rng">guides/guide.rng</file>
  </gresource>
</gresources>
GRESOURCE
glib-compile-resources --sourcedir="$top/data" --c-name obd_guide \
  --generate-source --target="$work/obd-guide-resources.c" "$work/obd-guide.gresource.xml"
glib-compile-resources --sourcedir="$top/data" --c-name obd_guide \
  --generate-header --target="$work/obd-guide-resources.h" "$work/obd-guide.gresource.xml"

# The enum types meson's mkenums_simple makes for the guide engine.
cat > "$work/enums.h.template" <<'TEMPLATE'
/*** BEGIN file-header ***/
#pragma once
#include <glib-object.h>
G_BEGIN_DECLS
/*** END file-header ***/
/*** BEGIN file-production ***/
#include "@filename@"
/*** END file-production ***/
/*** BEGIN value-header ***/
GType @enum_name@_get_type (void) G_GNUC_CONST;
#define @ENUMPREFIX@_TYPE_@ENUMSHORT@ (@enum_name@_get_type ())
/*** END value-header ***/
/*** BEGIN file-tail ***/
G_END_DECLS
/*** END file-tail ***/
TEMPLATE
cat > "$work/enums.c.template" <<'TEMPLATE'
/*** BEGIN file-header ***/
#include "obd-guide-enums.h"
/*** END file-header ***/
/*** BEGIN value-header ***/
GType
@enum_name@_get_type (void)
{
  static gsize type = 0;
  static const G@Type@Value values[] = {
/*** END value-header ***/
/*** BEGIN value-production ***/
    { @VALUENAME@, "@VALUENAME@", "@valuenick@" },
/*** END value-production ***/
/*** BEGIN value-tail ***/
    { 0, NULL, NULL }
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_@type@_register_static ("@EnumName@", values));
  return type;
}
/*** END value-tail ***/
TEMPLATE
glib-mkenums --template "$work/enums.h.template" --output "$work/obd-guide-enums.h" \
  "$top/src/guide/obd-guide.h" "$top/src/guide/obd-guide-run.h"
glib-mkenums --template "$work/enums.c.template" --output "$work/obd-guide-enums.c" \
  "$top/src/guide/obd-guide.h" "$top/src/guide/obd-guide-run.h"

glib_cflags=$(pkg-config --cflags glib-2.0 gio-2.0 gio-unix-2.0 json-glib-1.0 libxml-2.0 libserialport)
glib_libs=$(pkg-config --libs glib-2.0 gio-2.0 gio-unix-2.0 json-glib-1.0 libxml-2.0 libserialport)
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
  -fno-sanitize-recover=undefined
  -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74
  -I$work -I$top/src -I$top/src/obd -I$top/src/sim -I$top/src/guide -I$top/src/cli
  -I$top/src/report -I$top/src/store -I$top/src/health -I$top/src/sync -I$top/src/server
  -I$here -I$top/tests $glib_cflags"

# What the targets parse, compiled once with coverage instrumentation;
# the linker takes from the archive only what each target needs.
sources="
  src/obd/obd-adapter.c src/obd/obd-dtc.c src/obd/obd-elm.c src/obd/obd-error.c
  src/obd/obd-mode06.c src/obd/obd-mode09.c src/obd/obd-pid.c src/obd/obd-pty-transport.c
  src/obd/obd-serial-transport.c src/obd/obd-tcp-transport.c src/obd/obd-transport.c
  src/obd/obd-types.c src/obd/obd-units.c src/obd/obd-vin.c
  src/sim/obd-sim-elm.c src/sim/obd-sim-vehicle.c src/sync/obd-sync-message.c
  src/guide/obd-guide.c src/guide/obd-guide-check.c src/guide/obd-guide-library.c
  src/guide/obd-guide-parser.c src/guide/obd-guide-run.c
  src/cli/obd-cli-parse.c src/report/obd-report-parse.c src/server/obd-pg-notify-format.c
  tests/fuzz/fuzz-common.c tests/obd-script-transport.c"

echo "== building the sources of $*"
mkdir -p "$work/obj"
pids=
for src in $sources "$work/obd-resources.c" "$work/obd-guide-resources.c" \
    "$work/obd-guide-enums.c"; do
  case $src in /*) path=$src ;; *) path=$top/$src ;; esac
  # shellcheck disable=SC2086 # the flags are word lists
  "$CC" $cflags -fsanitize=fuzzer-no-link -c "$path" \
    -o "$work/obj/$(basename "$src" .c).o" &
  pids="$pids $!"
done
failed=0
for pid in $pids; do
  wait "$pid" || failed=1
done
if [ "$failed" != 0 ]; then
  echo "$0: building the sources failed" >&2
  exit 1
fi
"$AR" rcs "$work/libfuzz.a" "$work"/obj/*.o

for name in "$@"; do
  echo "== linking $name"
  # shellcheck disable=SC2086
  "$CC" $cflags -fsanitize=fuzzer "$here/$name.c" "$work/libfuzz.a" \
    $glib_libs -lm -o "$work/$name"
done

for name in "$@"; do
  corpus_name=${name#fuzz-}
  bin="$work/$name"
  dict=
  if [ -f "$here/$corpus_name.dict" ]; then
    dict="-dict=$here/$corpus_name.dict"
  fi

  mkdir -p "$work/corpus/$corpus_name" "$work/artifacts/$name"
  cp "$here/corpus/$corpus_name"/* "$work/corpus/$corpus_name/"

  echo "== running $name for $per s"
  # shellcheck disable=SC2086 # $dict is empty or one word
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       ASAN_OPTIONS=detect_leaks=1 \
       "$bin" -max_total_time="$per" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
         -print_final_stats=1 -artifact_prefix="$work/artifacts/$name/" $dict \
         "$work/corpus/$corpus_name"; then
    keep=1
    echo "$0: $name failed; reproducers in $work/artifacts/$name/" >&2
    echo "replay one with: $bin FILE" >&2
    exit 1
  fi
done

echo "== no crashes"

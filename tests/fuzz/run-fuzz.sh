#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the fuzz targets with clang's libFuzzer (plus ASan and UBSan) in a
# temporary directory and runs each for SECONDS (default 30) on a copy of
# its seed corpus.  Fails on any crash, leak, sanitizer report or timeout;
# the reproducer is kept and its path printed.
#
#   tests/fuzz/run-fuzz.sh [SECONDS]
#
# Needs clang and libclang-rt-14-dev (Debian), and glib's development files.
set -eu

seconds=${1:-30}
case $seconds in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CC_FUZZ:-clang}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "$0: $CC not found; install clang and libclang-rt-14-dev" >&2
  exit 1
fi

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

glib_cflags=$(pkg-config --cflags glib-2.0)
glib_libs=$(pkg-config --libs glib-2.0)

# target name, then the project sources it needs
run_target () {
  name=$1
  shift
  corpus_name=${name#fuzz-}
  bin="$work/$name"

  echo "== building $name"
  # shellcheck disable=SC2086 # the pkg-config flags are word lists
  "$CC" -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 \
    -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
    -I"$work" -I"$top/src" -I"$top/src/obd" $glib_cflags \
    "$here/$name.c" "$@" \
    $glib_libs -o "$bin"

  mkdir -p "$work/corpus/$corpus_name" "$work/artifacts/$name"
  cp "$here/corpus/$corpus_name"/* "$work/corpus/$corpus_name/"

  echo "== running $name for $seconds s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       ASAN_OPTIONS=detect_leaks=1 \
       "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
         -print_final_stats=1 -artifact_prefix="$work/artifacts/$name/" \
         "$work/corpus/$corpus_name"; then
    keep=1
    echo "$0: $name failed; reproducers in $work/artifacts/$name/" >&2
    echo "replay one with: $bin FILE" >&2
    exit 1
  fi
}

run_target fuzz-elm-response \
  "$top/src/obd/obd-elm.c" "$top/src/obd/obd-error.c" "$top/src/obd/obd-types.c"

echo "== no crashes"

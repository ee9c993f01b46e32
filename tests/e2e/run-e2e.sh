#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs test-app-e2e.py (or SCRIPT with ARGS) against the real application,
# inside the X server and session bus that build-aux/check provides
# (xvfb-run … dbus-run-session).
#   run-e2e.sh APP_BINARY SCHEMA_DIR [SCRIPT [ARGS…]]
# SCRIPT gets APP_BINARY, ARGS and a scratch folder.
# Settings go to a key file in a fresh folder, so the run starts as a first
# run and never touches a person's settings; the store is a fresh file too.
set -euo pipefail

app=$1
schema_dir=$2
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${DISPLAY:-}" ] || [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "1..0 # SKIP needs an X display and a session bus (build-aux/check provides both)"
  exit 0
fi

# A session bus of its own: obd2-diagnostics is a single-instance
# GApplication, so a second run on a shared bus (meson runs tests side by
# side) would hand its arguments to the first and exit, and the accessibility
# bus would show both.
# Its own runtime folder too: the accessibility bus's socket is named after
# the display (at-spi/bus_N), which the tests share.
if [ -z "${OBD2_E2E_OWN_BUS:-}" ]; then
  runtime=$(mktemp -d)
  chmod 700 "$runtime"
  status=0
  # The bus's daemons (the accessibility registry says hello on its
  # stdout) write to stderr; the test's TAP goes to fd 3, the real stdout.
  exec 3>&1
  OBD2_E2E_OWN_BUS=1 XDG_RUNTIME_DIR=$runtime dbus-run-session -- "$0" "$@" >&2 || status=$?
  rm -rf "$runtime"
  exit $status
fi

# This session's accessibility bus, for the application and the test alike:
# both would otherwise take the one named on the X root window
# (AT_SPI_BUS), which is whichever session started one last — another
# test's, when tests run side by side on one X server.
a11y_reply=$(gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
  --method org.a11y.Bus.GetAddress)
a11y_address=$(printf '%s' "$a11y_reply" | sed -n "s/^('\(.*\)',)\$/\1/p")
if [ -z "$a11y_address" ]; then
  echo "Bail out! no accessibility bus in this session (at-spi2-core): $a11y_reply" >&3
  exit 1
fi
export AT_SPI_BUS_ADDRESS=$a11y_address

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
export GSETTINGS_BACKEND=keyfile
export GSETTINGS_SCHEMA_DIR=$schema_dir
export GSK_RENDERER=cairo GDK_BACKEND=x11 ADW_DISABLE_PORTAL=1
# The application must talk to the accessibility bus: build-aux/check turns
# the bridge off for every other test.
export GTK_A11Y=atspi
unset NO_AT_BRIDGE
# A set-up mechanic's workstation: the first-run question is answered
# (test-app-window covers it; see test-app-e2e.py).
gsettings set io.github.obd2diagnostics.Workshop first-run false
gsettings set io.github.obd2diagnostics.Workshop role mechanic

# What assistive technologies look for (dogtail refuses to run without it).
if gsettings list-schemas | grep -qx org.gnome.desktop.interface; then
  gsettings set org.gnome.desktop.interface toolkit-accessibility true
fi

# Not exec: the trap removes the scratch folder afterwards.
if [ $# -gt 2 ]; then
  script=$3
  shift 3
  /usr/bin/python3 "$here/$script" "$app" "$@" "$tmp" >&3
else
  /usr/bin/python3 "$here/test-app-e2e.py" "$app" "$tmp/store.db" >&3
fi

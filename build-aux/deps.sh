#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by build-aux/run and build-aux/check: installs the Debian 12
# packages the project needs (when run as root), or says what to install.

obd_packages=(
  build-essential meson ninja-build pkg-config gettext itstool
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev libsqlite3-dev libserialport-dev libxml2-dev
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
  appstream desktop-file-utils libxml2-utils yelp-tools
  xvfb xauth dbus-daemon x11-utils fonts-dejavu-core
  clang libclang-rt-14-dev python3 flatpak-builder
  python3-pyatspi at-spi2-core libglib2.0-bin
  poppler-utils libsecret-1-dev python3-websocket curl
  libpq-dev postgresql locales
)

# Extra package names (e.g. yelp for build-aux/run) are added to the list.
obd_install_deps() {
  local missing=()
  local pkg
  for pkg in "${obd_packages[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi

  echo "Installing ${#missing[@]} Debian package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || { echo "apt-get update failed: check the network or the mirror" >&2; exit 1; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "apt-get install failed for: ${missing[*]}" >&2; exit 1; }
}

# The locales the translations are tested in (tests/e2e/test-locale.py):
# made from the "locales" package's definitions when missing.
obd_locales=(de_DE es_ES fr_FR)
obd_ensure_locales() {
  local missing=()
  local loc
  for loc in "${obd_locales[@]}"; do
    locale -a 2>/dev/null | grep -qix "$loc.utf8" || missing+=("$loc")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "These locales are missing: ${missing[*]}" >&2
    echo "Make each with: sudo localedef -i LOCALE -f UTF-8 LOCALE.UTF-8" >&2
    exit 1
  fi
  for loc in "${missing[@]}"; do
    localedef -i "$loc" -f UTF-8 "$loc.UTF-8" || { echo "localedef $loc.UTF-8 failed" >&2; exit 1; }
  done
}

# Configures BUILDDIR (with extra meson arguments) once, then builds it.
obd_build() {
  local builddir=$1; shift
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$@" >/dev/null || { echo "meson setup $builddir failed" >&2; exit 1; }
  fi
  ninja -C "$builddir" >/dev/null || { ninja -C "$builddir"; echo "build failed in $builddir" >&2; exit 1; }
}

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-flatpak.py MANIFEST BUILDDIR APP_ID
#
# What flatpak-builder --show-manifest cannot see, since the manifest cannot
# be built offline here:
#  - every source it downloads is pinned by a sha256 (a git source by its
#    commit), so a build is reproducible and a changed tarball is noticed;
#  - the runtime is a GNOME release that is still supported;
#  - the sandbox asks for what a workshop needs (serial devices, network,
#    display, notifications and the keyring through portals) and no more;
#  - the files the build installs where Flatpak exports them (desktop file,
#    metainfo, icons, D-Bus services) are named after the app ID, and the
#    desktop file, metainfo and icon agree with it and with the command.
# Prints every problem and exits 1 if there is any.

import configparser
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

# GNOME runtimes are supported for about a year (the two newest releases);
# older ones get no security updates.  Raise this when a release goes out of
# support.
OLDEST_SUPPORTED_RUNTIME = 50

# What a workshop PC needs.  --device=all is the only way into /dev/ttyUSB*,
# /dev/ttyACM* and /dev/rfcomm* (Flatpak has no serial-only permission);
# notifications and the keyring go through portals and need nothing here.
ALLOWED_FINISH_ARGS = {
    "--share=ipc",
    "--share=network",
    "--socket=fallback-x11",
    "--socket=wayland",
    "--device=all",
}

EXPORT_DIRS = (
    "share/applications",
    "share/metainfo",
    "share/icons",
    "share/dbus-1/services",
    "share/gnome-shell/search-providers",
    "share/mime/packages",
)

problems = []


def problem(text):
    problems.append(text)


def walk_modules(modules, path=""):
    for module in modules:
        if isinstance(module, str):
            problem(f"{path}: module file {module} is not checked; inline it")
            continue
        name = module.get("name", "?")
        yield f"{path}/{name}", module
        yield from walk_modules(module.get("modules", []), f"{path}/{name}")


def check_sources(where, module):
    for source in module.get("sources", []):
        kind = source.get("type")
        if kind in ("archive", "file"):
            sha = source.get("sha256", "")
            if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                problem(f"{where}: {kind} source {source.get('url', source.get('path'))} "
                        "has no sha256")
            if "url" in source and not source["url"].startswith("https://"):
                problem(f"{where}: {source['url']} is not fetched over https")
        elif kind == "git":
            if len(source.get("commit", "")) != 40:
                problem(f"{where}: git source {source.get('url')} is not pinned to a commit")
        elif kind == "dir":
            if source.get("path") != "..":
                problem(f"{where}: only the project itself may be a dir source")
        elif kind not in ("patch", "shell", "script"):
            problem(f"{where}: unexpected source type {kind}")


def main():
    manifest_path, builddir, app_id = sys.argv[1:4]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)

    if manifest.get("id") != app_id.removesuffix(".Devel"):
        problem(f"manifest id {manifest.get('id')} is not the app ID {app_id}")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        problem("the runtime must be org.gnome.Platform with org.gnome.Sdk")
    try:
        version = int(manifest.get("runtime-version", "0"))
    except ValueError:
        version = 0
    if version < OLDEST_SUPPORTED_RUNTIME:
        problem(f"runtime-version {manifest.get('runtime-version')} is out of support "
                f"(oldest supported: {OLDEST_SUPPORTED_RUNTIME})")

    for arg in manifest.get("finish-args", []):
        if arg not in ALLOWED_FINISH_ARGS:
            problem(f"finish-arg {arg} is broader than a workshop needs")
    for needed in ("--share=network", "--device=all", "--socket=wayland"):
        if needed not in manifest.get("finish-args", []):
            problem(f"finish-arg {needed} is missing")

    modules = list(walk_modules(manifest.get("modules", [])))
    for where, module in modules:
        check_sources(where, module)
    if not modules or modules[-1][1].get("name") != "obd2-diagnostics":
        problem("the last module must be obd2-diagnostics itself")
    else:
        opts = modules[-1][1].get("config-opts", [])
        if "-Dtests=false" not in opts:
            problem("the app module must build without tests (-Dtests=false)")
        if any(o.startswith("-Ddevelopment=true") for o in opts):
            problem("the app module must not be a development build")

    # What the build installs, without installing it.
    out = subprocess.run(["meson", "introspect", "--installed", builddir],
                         check=True, capture_output=True, text=True).stdout
    installed = json.loads(out)
    prefix = subprocess.run(["meson", "introspect", "--buildoptions", builddir],
                            check=True, capture_output=True, text=True).stdout
    prefix = next(o["value"] for o in json.loads(prefix) if o["name"] == "prefix")
    relative = {}
    for built, dest in installed.items():
        rel = os.path.relpath(dest, prefix)
        relative[rel] = built

    for rel in relative:
        if rel.startswith(EXPORT_DIRS) and not os.path.basename(rel).startswith(app_id):
            problem(f"{rel} is exported by Flatpak but not named after {app_id}")

    bins = {os.path.basename(r) for r in relative if r.startswith("bin/")}
    command = manifest.get("command")
    if command not in bins:
        problem(f"the manifest's command {command} is not installed (bin/: {sorted(bins)})")

    desktop_rel = f"share/applications/{app_id}.desktop"
    metainfo_rel = f"share/metainfo/{app_id}.metainfo.xml"
    icon_rel = f"share/icons/hicolor/scalable/apps/{app_id}.svg"
    symbolic_rel = f"share/icons/hicolor/symbolic/apps/{app_id}-symbolic.svg"
    for rel in (desktop_rel, metainfo_rel, icon_rel, symbolic_rel,
                f"share/glib-2.0/schemas/{app_id}.gschema.xml"):
        if rel not in relative:
            problem(f"{rel} is not installed")

    if desktop_rel in relative and os.path.exists(relative[desktop_rel]):
        desktop = configparser.ConfigParser(interpolation=None, strict=False)
        desktop.optionxform = str
        desktop.read(relative[desktop_rel], encoding="utf-8")
        entry = desktop["Desktop Entry"]
        if entry.get("Icon") != app_id:
            problem(f"the desktop file's Icon is {entry.get('Icon')}, not {app_id}")
        exec_ = entry.get("Exec", "").split()
        if not exec_ or exec_[0] != command:
            problem(f"the desktop file runs {exec_[:1]}, not the manifest's {command}")

    if metainfo_rel in relative and os.path.exists(relative[metainfo_rel]):
        root = ET.parse(relative[metainfo_rel]).getroot()
        if root.findtext("id") != app_id:
            problem(f"the metainfo id is {root.findtext('id')}, not {app_id}")
        launchable = root.find("launchable[@type='desktop-id']")
        if launchable is None or launchable.text != f"{app_id}.desktop":
            problem("the metainfo's launchable is not the installed desktop file")

    for text in problems:
        print(f"check-flatpak: {text}", file=sys.stderr)
    print(f"{len(modules)} module(s), {len(relative)} installed file(s) checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

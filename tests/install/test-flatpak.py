# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest, checked offline (this machine cannot reach
Flathub, so nothing is downloaded or built in a sandbox):

- flatpak/io.github.caudal.Caudal.json parses as JSON;
- its app-id is the desktop file's name and the metainfo's <id>, its
  <launchable> names that desktop file, and the command is the desktop
  file's Exec;
- the runtime and SDK are GNOME's, with a numbered runtime-version;
- every module source is pinned: archive/file by an https URL of a release
  (not a branch) and a sha256 of 64 hex digits, git by tag and commit; a
  dir source only in our own module, pointing at the source tree;
- every dependency() of our meson files is either in the runtime (the
  list flatpak/README.md justifies) or a module of the manifest;
- finish-args is exactly the minimal set flatpak/README.md explains;
- cleanup drops headers, pkg-config files and static libraries;
- `meson setup` with the manifest's config-opts (and the --prefix=/app
  --libdir=lib flatpak-builder adds) configures this source tree; the
  configured install puts caudald next to caudal-desktop in /app/bin,
  with no tests, man pages or kafka-* links;
- when flatpak-builder happens to be installed (it is not required),
  `flatpak-builder --show-manifest` accepts the file.

Run: MESON_SOURCE_ROOT=. MESON=meson CAUDAL_DESKTOP=true \
     /usr/bin/python3 tests/install/test-flatpak.py
"""

import configparser
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import check, check_eq, main  # noqa: E402

APP_ID = "io.github.caudal.Caudal"
SOURCE = os.environ.get("MESON_SOURCE_ROOT")
MESON = os.environ.get("MESON") or shutil.which("meson")
DESKTOP = os.environ.get("CAUDAL_DESKTOP") == "true"

# finish-args, each explained in flatpak/README.md; nothing more.
ALLOWED_FINISH_ARGS = {
    "--share=network",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",
    "--device=dri",
}
# pkg-config names the GNOME runtime provides (flatpak/README.md), and the
# ones our meson files only ask for install directories (optional).
RUNTIME_PROVIDES = {"glib-2.0", "gio-2.0", "zlib", "libzstd", "liblz4",
                    "gtk4", "libadwaita-1", "json-glib-1.0"}
INSTALL_DIR_HINTS = {"systemd", "bash-completion"}
OUR_MODULE = "caudal"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX40 = re.compile(r"^[0-9a-f]{40}$")


def manifest_path():
    return os.path.join(SOURCE, "flatpak", APP_ID + ".json")


def load_manifest():
    with open(manifest_path()) as f:
        return json.load(f)


def modules(manifest):
    """All modules, nested ones included, as (name, module) pairs."""
    out = []

    def walk(mods):
        for m in mods:
            check(isinstance(m, dict), "module %r: give modules inline (a file reference is not checked)" % (m,))
            out.append((m.get("name"), m))
            walk(m.get("modules", []))
    walk(manifest.get("modules", []))
    return out


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def test_manifest_parses():
    m = load_manifest()
    for key in ["app-id", "runtime", "runtime-version", "sdk", "command", "finish-args", "modules"]:
        check(key in m, "no %r in %s" % (key, manifest_path()))
    check("id" not in m, "both 'id' and 'app-id' given")


def test_app_id_matches_desktop_and_metainfo():
    m = load_manifest()
    check_eq(m["app-id"], APP_ID, "app-id")
    gui = os.path.join(SOURCE, "data", "gui")
    desktops = glob.glob(os.path.join(gui, "*.desktop*"))
    check_eq([os.path.basename(p).split(".desktop")[0] for p in desktops], [m["app-id"]],
             "desktop files in data/gui, named by the app-id")
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(desktops[0])
    check_eq(entry["Desktop Entry"]["Exec"].split()[0], m["command"], "desktop Exec = manifest command")
    metainfos = glob.glob(os.path.join(gui, "*.metainfo.xml*"))
    check_eq(len(metainfos), 1, "metainfo files in data/gui: %r" % metainfos)
    root = ET.parse(metainfos[0]).getroot()
    check_eq(root.findtext("id"), m["app-id"], "metainfo <id>")
    launchable = root.find("launchable")
    check(launchable is not None, "metainfo has no <launchable>")
    check_eq((launchable.get("type"), launchable.text), ("desktop-id", m["app-id"] + ".desktop"),
             "metainfo <launchable>")


def test_runtime_is_named():
    m = load_manifest()
    check_eq((m["runtime"], m["sdk"]), ("org.gnome.Platform", "org.gnome.Sdk"), "runtime and sdk")
    check(re.fullmatch(r"[0-9]+", str(m["runtime-version"])) is not None,
          "runtime-version %r is not a numbered GNOME release" % m["runtime-version"])


def check_url(url, what):
    check(url.startswith("https://"), "%s: url %r is not https" % (what, url))
    # A branch tip moves under the sha256: release tags only.
    check(not re.search(r"/refs/heads/|/(master|main|trunk|HEAD)(\.tar|\.zip|/|$)", url),
          "%s: url %r names a branch, not a release" % (what, url))


def test_sources_are_pinned():
    m = load_manifest()
    mods = modules(m)
    check(len(mods) >= 1, "no modules")
    check_eq(mods[-1][0], OUR_MODULE, "the last module (built after its dependencies)")
    for name, mod in mods:
        sources = mod.get("sources", [])
        check(len(sources) >= 1, "module %s has no sources" % name)
        for i, src in enumerate(sources):
            what = "module %s source %d" % (name, i)
            kind = src.get("type")
            if kind in ("archive", "file"):
                check("path" not in src, "%s: a %s from a local path is not pinned" % (what, kind))
                check_url(src.get("url", ""), what)
                check(HEX64.match(src.get("sha256", "")) is not None,
                      "%s: sha256 %r is not 64 hex digits" % (what, src.get("sha256")))
            elif kind == "git":
                check(src.get("tag") and HEX40.match(src.get("commit", "")) is not None,
                      "%s: git needs a tag and the 40-hex commit it points at: %r" % (what, src))
                check("branch" not in src, "%s: git follows a branch" % what)
                check_url(src.get("url", ""), what)
            elif kind == "dir":
                check_eq(name, OUR_MODULE, "%s: dir sources are for our own module only" % what)
                here = os.path.normpath(os.path.join(os.path.dirname(manifest_path()), src.get("path", "")))
                check_eq(here, os.path.normpath(SOURCE), "%s: dir path resolves to" % what)
            else:
                check(False, "%s: source type %r is not checked for pinning" % (what, kind))
    ours = dict(mods)[OUR_MODULE]
    check_eq(ours.get("buildsystem"), "meson", "our module's buildsystem")


def test_dependencies_are_runtime_or_modules():
    names = {name for name, _ in modules(load_manifest())}
    found = set()
    for dirpath, dirnames, filenames in os.walk(SOURCE):
        rel = os.path.relpath(dirpath, SOURCE)
        # Build dirs, tests, benchmarks and dot-dirs are not in the app.
        dirnames[:] = [d for d in dirnames
                       if not d.startswith(("_build", ".", "subprojects"))
                       and not (rel == "." and d in ("tests", "bench"))]
        if "meson.build" in filenames:
            with open(os.path.join(dirpath, "meson.build")) as f:
                found |= set(re.findall(r"\bdependency\(\s*'([^']+)'", f.read()))
    check("snappy" in found, "no dependency('snappy') found: is the scan broken? %r" % sorted(found))
    missing = sorted(found - RUNTIME_PROVIDES - INSTALL_DIR_HINTS - names)
    check_eq(missing, [], "dependencies neither in the GNOME runtime nor a manifest module")


def test_finish_args_are_minimal():
    args = load_manifest()["finish-args"]
    check_eq(len(args), len(set(args)), "finish-args without duplicates")
    check_eq(sorted(args), sorted(ALLOWED_FINISH_ARGS), "finish-args")


def test_cleanup_drops_development_files():
    cleanup = load_manifest().get("cleanup", [])
    for pattern in ["/include", "/lib/pkgconfig", "*.a", "*.la"]:
        check(pattern in cleanup, "cleanup lacks %r: %r" % (pattern, cleanup))


def test_meson_setup_with_manifest_options(tmp):
    check(MESON is not None, "meson not found")
    opts = dict(modules(load_manifest()))[OUR_MODULE].get("config-opts", [])
    build = os.path.join(tmp, "build")
    # flatpak-builder's own arguments for a meson module come first.
    cmd = [MESON, "setup", "--prefix=/app", "--libdir=lib"] + opts + [build, SOURCE]
    proc = run(cmd, timeout=300)
    check_eq(proc.returncode, 0, "%s\n%s" % (" ".join(cmd), (proc.stdout + proc.stderr)[-3000:]))

    proc = run([MESON, "introspect", "--buildoptions", build])
    check_eq(proc.returncode, 0, "meson introspect --buildoptions: " + proc.stderr)
    values = {o["name"]: o["value"] for o in json.loads(proc.stdout)}
    check_eq((values["tests"], values["fuzzing"], values["kafka_links"], values["man"]),
             (False, False, False, "disabled"), "tests, fuzzing, kafka_links, man")

    proc = run([MESON, "introspect", "--tests", build])
    check_eq((proc.returncode, json.loads(proc.stdout or "null")), (0, []), "tests configured")

    proc = run([MESON, "introspect", "--installed", build])
    check_eq(proc.returncode, 0, "meson introspect --installed: " + proc.stderr)
    installed = set(json.loads(proc.stdout).values())
    # "Start local broker" finds caudald beside caudal-desktop.
    expected = {"/app/bin/caudald", "/app/bin/caudal"}
    if DESKTOP:
        expected |= {"/app/bin/caudal-desktop",
                     "/app/share/applications/%s.desktop" % APP_ID,
                     "/app/share/metainfo/%s.metainfo.xml" % APP_ID}
    else:
        print("# caudal-desktop is not built here (no GTK4/libadwaita): only the broker and CLI checked")
    check_eq(sorted(expected - installed), [], "files the manifest's build must install")
    unwanted = sorted(p for p in installed
                      if p.startswith(("/app/share/man/", "/app/sbin/")) or "/kafka-" in p)
    check_eq(unwanted, [], "man pages, sbin or kafka-* links installed")


def test_flatpak_builder_accepts(tmp):
    builder = shutil.which("flatpak-builder")
    if builder is None:
        print("# flatpak-builder not installed: --show-manifest not run (it is optional)")
        return
    proc = run([builder, "--show-manifest", manifest_path()], cwd=tmp)
    check_eq(proc.returncode, 0, "flatpak-builder --show-manifest: " + proc.stdout + proc.stderr)
    check_eq(json.loads(proc.stdout).get("app-id", json.loads(proc.stdout).get("id")), APP_ID,
             "app-id flatpak-builder read")


def body(runner):
    check(SOURCE, "MESON_SOURCE_ROOT must be set")
    runner.run(test_manifest_parses)
    runner.run(test_app_id_matches_desktop_and_metainfo)
    runner.run(test_runtime_is_named)
    runner.run(test_sources_are_pinned)
    runner.run(test_dependencies_are_runtime_or_modules)
    runner.run(test_finish_args_are_minimal)
    runner.run(test_cleanup_drops_development_files)
    tmp = tempfile.mkdtemp(prefix="caudal-flatpak-")
    try:
        runner.run(test_meson_setup_with_manifest_options, tmp)
        runner.run(test_flatpak_builder_accepts, tmp)
        return runner.finish()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(body)

# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` lays Caudal out the way issue 7 asks, and the desktop
integration files pass their validators:

- desktop-file-validate and `appstreamcli validate --no-net` accept the
  built desktop file and metainfo (and the installed copies);
- `glib-compile-schemas --strict --dry-run` accepts data/gui;
- `meson install --no-rebuild --destdir TMP` from the build dir the test
  runs in installs every file meson says it installs, at the places the
  configured prefix/bindir/sbindir/libdir/... and the systemd pkg-config
  give: programs, library, headers, pkg-config file, desktop file,
  metainfo, icons, schema, man pages, bash completion, systemd unit,
  /etc/caudal/server.properties and the message catalogues
  (share/locale/LANG/LC_MESSAGES/caudal.mo for each language of
  po/LINGUAS); `appstreamcli validate-tree` accepts the installed tree;
- the desktop file and metainfo carry the translations of po/ (pt_BR).

A validator that is not installed fails its test (tools/packages.txt lists
desktop-file-utils and appstream); the desktop checks are skipped, with a
message, only when caudal-desktop is not built (no GTK4/libadwaita).

Run: MESON_BUILD_ROOT=_build MESON_SOURCE_ROOT=. CAUDAL_DESKTOP=true \
     /usr/bin/python3 tests/install/test-install.py
"""

import configparser
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import check, check_eq, main  # noqa: E402

APP_ID = "io.github.caudal.Caudal"
BUILD = os.environ.get("MESON_BUILD_ROOT")
SOURCE = os.environ.get("MESON_SOURCE_ROOT")
MESON = os.environ.get("MESON") or shutil.which("meson")
DESKTOP = os.environ.get("CAUDAL_DESKTOP") == "true"


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def require(program):
    path = shutil.which(program)
    check(path is not None, "%s not found (tools/packages.txt installs it)" % program)
    return path


def validate_desktop(path):
    require("desktop-file-validate")
    proc = run(["desktop-file-validate", path])
    # Hints are advice (Development;Network; are two main categories, on
    # purpose); warnings and errors fail.
    bad = [line for line in (proc.stdout + proc.stderr).splitlines()
           if ": hint: " not in line and line.strip()]
    check_eq((proc.returncode, bad), (0, []), "desktop-file-validate " + path)


def validate_metainfo(path):
    require("appstreamcli")
    proc = run(["appstreamcli", "validate", "--no-net", "--pedantic", path])
    out = proc.stdout + proc.stderr
    check(proc.returncode == 0, "appstreamcli validate --no-net %s:\n%s" % (path, out))
    # Errors and warnings fail (returncode covers both); infos are shown.
    for line in out.splitlines():
        if line.startswith(("I:", "P:")):
            print("# appstreamcli: " + line)


def built(*parts):
    return os.path.join(BUILD, "data", "gui", *parts)


def test_desktop_file_validates():
    validate_desktop(built(APP_ID + ".desktop"))


def test_metainfo_validates():
    validate_metainfo(built(APP_ID + ".metainfo.xml"))


def test_desktop_and_metainfo_agree():
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(built(APP_ID + ".desktop"))
    de = entry["Desktop Entry"]
    check_eq(de["Icon"], APP_ID, "Icon=")
    check_eq(de["Exec"].split()[0], "caudal-desktop", "Exec=")
    root = ET.parse(built(APP_ID + ".metainfo.xml")).getroot()
    check_eq(root.findtext("id"), APP_ID, "metainfo <id>")
    check_eq(root.findtext("launchable"), APP_ID + ".desktop", "metainfo <launchable>")
    check_eq(sorted(b.text for b in root.iter("binary")),
             ["caudal", "caudal-desktop", "caudald"], "metainfo <provides>")
    release = root.find("releases/release")
    check(release is not None, "metainfo has no <release>")
    check_eq(release.get("version"), os.environ.get("CAUDAL_VERSION"), "newest release = project version")
    # Screenshots may only point at files that exist in the tree.
    raw = "https://raw.githubusercontent.com/caudal/caudal/main/"
    images = list(root.iter("image"))
    check(len(images) > 0, "metainfo has no screenshots")
    for image in images:
        url = (image.text or "").strip()
        check(url.startswith(raw), "screenshot %s is not under %s" % (url, raw))
        check(os.path.isfile(os.path.join(SOURCE, url[len(raw):])),
              "screenshot %s: no such file in the tree" % url)


def test_schema_compiles_strict():
    require("glib-compile-schemas")
    proc = run(["glib-compile-schemas", "--strict", "--dry-run",
                os.path.join(SOURCE, "data", "gui")])
    check_eq((proc.returncode, proc.stdout + proc.stderr), (0, ""), "glib-compile-schemas --strict --dry-run data/gui")


class Layout:
    """The configured install directories, absolute, as meson resolves them."""

    def __init__(self):
        proc = run([MESON, "introspect", "--buildoptions", BUILD])
        check_eq(proc.returncode, 0, "meson introspect --buildoptions: " + proc.stderr)
        opts = {o["name"]: o["value"] for o in json.loads(proc.stdout)}
        self.opts = opts
        self.prefix = opts["prefix"]
        for name in ["bindir", "sbindir", "libdir", "includedir", "datadir", "mandir", "sysconfdir",
                     "localedir"]:
            setattr(self, name, os.path.join(self.prefix, opts[name]))
        # As data/meson.build: the systemd pkg-config's unit dir, or
        # $prefix/lib/systemd/system without it.
        self.unitdir = os.path.join(self.prefix, "lib", "systemd", "system")
        if shutil.which("pkg-config") and run(["pkg-config", "--exists", "systemd"]).returncode == 0:
            proc = run(["pkg-config", "--define-variable=prefix=" + self.prefix,
                        "--variable=systemdsystemunitdir", "systemd"])
            if proc.stdout.strip():
                self.unitdir = proc.stdout.strip()
        # As data/meson.build: bash-completion's completionsdir, or
        # $datadir/bash-completion/completions without it.
        self.completiondir = os.path.join(self.datadir, "bash-completion", "completions")
        if shutil.which("pkg-config") and run(["pkg-config", "--exists", "bash-completion"]).returncode == 0:
            proc = run(["pkg-config", "--define-variable=datadir=" + opts["datadir"],
                        "--variable=completionsdir", "bash-completion"])
            if proc.stdout.strip():
                self.completiondir = os.path.join(self.prefix, proc.stdout.strip())

    def expected(self):
        d = self
        files = [
            (d.bindir, "caudal"),
            (d.sbindir, "caudald"),
            (d.includedir, "caudal/caudal-cluster.h"),
            (d.libdir, "pkgconfig/caudal.pc"),
            (d.mandir, "man1/caudal.1"),
            (d.mandir, "man8/caudald.8"),
            (d.completiondir, "caudal"),
            (d.unitdir, "caudald.service"),
            (d.sysconfdir, "caudal/server.properties"),
        ]
        files += [(d.localedir, "%s/LC_MESSAGES/caudal.mo" % lang) for lang in linguas()]
        if shutil.which("help2man") is None:
            files = [f for f in files if not f[1].startswith("man")]
            print("# help2man not found: man pages not expected")
        if self.opts.get("kafka_links"):
            files += [(d.bindir, "kafka-topics")]
        if DESKTOP:
            files += [
                (d.bindir, "caudal-desktop"),
                (d.datadir, "applications/%s.desktop" % APP_ID),
                (d.datadir, "metainfo/%s.metainfo.xml" % APP_ID),
                (d.datadir, "icons/hicolor/scalable/apps/%s.svg" % APP_ID),
                (d.datadir, "icons/hicolor/symbolic/apps/%s-symbolic.svg" % APP_ID),
                (d.datadir, "glib-2.0/schemas/%s.gschema.xml" % APP_ID),
            ]
        return [os.path.join(base, rel) for base, rel in files]


def linguas():
    """The languages of po/LINGUAS."""
    with open(os.path.join(SOURCE, "po", "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f if not line.lstrip().startswith("#") for w in line.split()]


def check_translated(desktop_path, metainfo_path):
    """Each language of po/ is merged into the desktop file and metainfo."""
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(desktop_path, encoding="utf-8")
    de = entry["Desktop Entry"]
    root = ET.parse(metainfo_path).getroot()
    lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
    for lang in linguas():
        for key in ["Comment", "GenericName", "Keywords"]:
            check(de.get("%s[%s]" % (key, lang), de[key]) != de[key],
                  "%s has no translated %s[%s]" % (desktop_path, key, lang))
        summaries = {s.get(lang_attr): s.text for s in root.findall("summary")}
        check(lang in summaries and summaries[lang] != summaries.get(None),
              "%s has no <summary xml:lang=\"%s\">" % (metainfo_path, lang))
        check(any(p.get(lang_attr) == lang for p in root.findall("description/p")),
              "%s has no <description> paragraph in %s" % (metainfo_path, lang))


def test_desktop_files_translated():
    check_translated(built(APP_ID + ".desktop"), built(APP_ID + ".metainfo.xml"))


def under(destdir, path):
    return os.path.join(destdir, path.lstrip("/"))


def test_meson_install_layout(destdir):
    check(MESON is not None, "meson not found")
    layout = Layout()
    proc = run([MESON, "install", "--no-rebuild", "--quiet", "-C", BUILD, "--destdir", destdir],
               timeout=240)
    check_eq(proc.returncode, 0, "meson install --destdir: " + (proc.stdout + proc.stderr)[-2000:])

    missing = [p for p in layout.expected() if not os.path.lexists(under(destdir, p))]
    check_eq(missing, [], "files missing from the installed layout (under %s)" % destdir)

    # The shared library, its soname link, and nothing of it outside libdir.
    libs = glob.glob(under(destdir, os.path.join(layout.libdir, "libcaudal.so*")))
    check(len(libs) >= 1, "no libcaudal.so* in %s" % layout.libdir)
    check(any(os.path.basename(p) == "libcaudal.so" for p in libs),
          "no libcaudal.so development link among " + repr(libs))

    # Programs are executable.
    for prog in [(layout.bindir, "caudal"), (layout.sbindir, "caudald")] + \
                ([(layout.bindir, "caudal-desktop")] if DESKTOP else []):
        path = under(destdir, os.path.join(*prog))
        check(os.access(path, os.X_OK), "%s is not executable" % path)

    # Everything meson says it installs is there.
    proc = run([MESON, "introspect", "--installed", BUILD])
    check_eq(proc.returncode, 0, "meson introspect --installed: " + proc.stderr)
    installed = sorted(set(json.loads(proc.stdout).values()))
    absent = [p for p in installed if not os.path.lexists(under(destdir, p))]
    check_eq(absent, [], "files meson installs but are absent")

    # The pkg-config file points at the installed prefix.
    pc = open(under(destdir, os.path.join(layout.libdir, "pkgconfig", "caudal.pc"))).read()
    check("prefix=%s\n" % layout.prefix in pc, "caudal.pc prefix is not %s:\n%s" % (layout.prefix, pc))

    # The unit runs the installed broker.
    unit = open(under(destdir, os.path.join(layout.unitdir, "caudald.service"))).read()
    check("ExecStart=%s" % os.path.join(layout.sbindir, "caudald") in unit,
          "caudald.service ExecStart is not %s/caudald" % layout.sbindir)

    if DESKTOP:
        validate_desktop(under(destdir, os.path.join(layout.datadir, "applications", APP_ID + ".desktop")))
        validate_metainfo(under(destdir, os.path.join(layout.datadir, "metainfo", APP_ID + ".metainfo.xml")))
        check_translated(under(destdir, os.path.join(layout.datadir, "applications", APP_ID + ".desktop")),
                         under(destdir, os.path.join(layout.datadir, "metainfo", APP_ID + ".metainfo.xml")))
        # The installed schema directory compiles on its own.
        proc = run(["glib-compile-schemas", "--strict", "--dry-run",
                    under(destdir, os.path.join(layout.datadir, "glib-2.0", "schemas"))])
        check_eq((proc.returncode, proc.stdout + proc.stderr), (0, ""), "installed schemas compile")
        # The installed tree as a whole: metainfo, desktop file and icon
        # found and consistent.
        proc = run(["appstreamcli", "validate-tree", "--no-net", under(destdir, layout.prefix)])
        check(proc.returncode == 0, "appstreamcli validate-tree --no-net:\n" + proc.stdout + proc.stderr)


def body(runner):
    check(BUILD and SOURCE, "MESON_BUILD_ROOT and MESON_SOURCE_ROOT must be set")
    if DESKTOP:
        runner.run(test_desktop_file_validates)
        runner.run(test_metainfo_validates)
        runner.run(test_desktop_and_metainfo_agree)
        runner.run(test_desktop_files_translated)
    else:
        print("# caudal-desktop is not built (no GTK4/libadwaita): desktop file and metainfo not installed, not checked")
    runner.run(test_schema_compiles_strict)
    destdir = tempfile.mkdtemp(prefix="caudal-install-")
    try:
        runner.run(test_meson_install_layout, destdir)
        return runner.finish()
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


if __name__ == "__main__":
    main(body)

# SPDX-License-Identifier: GPL-3.0-or-later
"""po/POTFILES.in lists exactly the files with translatable strings.

Scans the source tree (not tests/, build folders, or hidden folders) for
files that mark strings for gettext: _("…"), N_("…"), C_("…"),
NC_("…"), ngettext (…) and g_dngettext (…) in C; translatable="yes" in
GtkBuilder .ui files; every desktop file and metainfo template; GSettings
schemas with a <summary> or <description>. Fails naming each such file
missing from po/POTFILES.in, each listed file that no longer exists, and
each file listed twice.

Run: MESON_SOURCE_ROOT=. /usr/bin/python3 tests/i18n/test-potfiles.py
"""

import os
import re
import sys

SOURCE = os.environ.get("MESON_SOURCE_ROOT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# Not sources of the installed programs: tests, benchmarks, tools, docs,
# the catalogues themselves, and anything built or hidden.
SKIP_DIRS = {"tests", "bench", "tools", "docs", "po", "node_modules", "subprojects"}

# _("…"), N_("…"), C_("…"), NC_("…") (not some_function ("…")), ngettext (…),
# g_dngettext (…).
C_MARKS = re.compile(r'(?<![A-Za-z0-9_])(?:NC|N|C)?_\s*\(\s*"|\b(?:g_d)?ngettext\s*\(')


def translatable(path):
    """Why @path has translatable strings, or None."""
    name = os.path.basename(path)
    if name.endswith((".desktop.in", ".metainfo.xml.in", ".appdata.xml.in")):
        return "desktop file or metainfo template"
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return None
    if name.endswith((".c", ".h")) and C_MARKS.search(text):
        return "marks strings with _(), N_(), C_() or ngettext()"
    if name.endswith(".ui") and 'translatable="yes"' in text:
        return 'has translatable="yes"'
    if name.endswith(".gschema.xml") and re.search(r"<(summary|description)>", text):
        return "GSettings schema with summaries"
    return None


def scan():
    found = {}
    for root, dirs, files in os.walk(SOURCE):
        rel_root = os.path.relpath(root, SOURCE)
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith((".", "_build"))
                         and not (rel_root == "." and d in SKIP_DIRS))
        for name in sorted(files):
            path = os.path.join(root, name)
            why = translatable(path)
            if why:
                found[os.path.normpath(os.path.relpath(path, SOURCE))] = why
    return found


def listed():
    entries = []
    with open(os.path.join(SOURCE, "po", "POTFILES.in"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                entries.append(os.path.normpath(line))
    return entries


def main():
    found = scan()
    entries = listed()
    problems = []
    for path in sorted(set(found) - set(entries)):
        problems.append("%s %s but is not in po/POTFILES.in" % (path, found[path]))
    for path in entries:
        if not os.path.exists(os.path.join(SOURCE, path)):
            problems.append("po/POTFILES.in lists %s, which does not exist" % path)
    for path in sorted({p for p in entries if entries.count(p) > 1}):
        problems.append("po/POTFILES.in lists %s more than once" % path)
    for path in entries:
        if path not in found and os.path.exists(os.path.join(SOURCE, path)):
            print("# note: %s is listed but has no translatable strings" % path)
    print("# %d files with translatable strings, %d listed" % (len(found), len(entries)))
    if problems:
        for p in problems:
            print("FAIL: " + p)
        print("Add or remove the lines in po/POTFILES.in, then run "
              "`ninja -C BUILD caudal-update-po` and translate what is new.")
        return 1
    print("po/POTFILES.in is complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())

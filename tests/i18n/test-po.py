# SPDX-License-Identifier: GPL-3.0-or-later
"""Every catalogue in po/ is valid and complete.

1. po/LINGUAS and the po/*.po files name the same languages.
2. `msgfmt --check --statistics` accepts each .po and reports no
   untranslated and no fuzzy message.
3. Each .po holds a translation of every string the sources mark today:
   the strings are extracted from po/POTFILES.in with xgettext (the
   options of meson's 'glib' preset, as po/meson.build uses) into a
   temporary template, merged into a copy of the .po (msgmerge, no fuzzy
   guessing) and what stays untranslated is listed (msgattrib). A string
   added to the code but not yet translated fails here, naming it.

A missing msgfmt/xgettext/msgmerge/msgattrib fails the test (tools/packages.txt
installs gettext).

Run: MESON_SOURCE_ROOT=. /usr/bin/python3 tests/i18n/test-po.py
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("MESON_SOURCE_ROOT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PO = os.path.join(SOURCE, "po")

# meson's i18n.gettext(preset: 'glib') keywords (mesonbuild/modules/i18n.py).
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
]

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def tool(name):
    path = shutil.which(name)
    if path is None:
        fail("%s not found (tools/packages.txt installs gettext)" % name)
    return path


def languages():
    with open(os.path.join(PO, "LINGUAS"), encoding="utf-8") as f:
        linguas = [w for line in f if not line.lstrip().startswith("#") for w in line.split()]
    files = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(PO, "*.po")))
    if sorted(linguas) != files:
        fail("po/LINGUAS names %s but po/ holds %s" % (sorted(linguas), [f + ".po" for f in files]))
    return sorted(set(linguas) | set(files))


def check_msgfmt(msgfmt, lang):
    po = os.path.join(PO, lang + ".po")
    proc = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, po],
                          capture_output=True, text=True)
    report = (proc.stdout + proc.stderr).strip()
    print("# %s.po: %s" % (lang, report.replace("\n", " / ")))
    if proc.returncode != 0:
        fail("msgfmt --check %s.po failed:\n%s" % (lang, report))
    elif "untranslated" in report or "fuzzy" in report:
        fail("%s.po has untranslated or fuzzy messages: %s" % (lang, report))


def check_current(xgettext, msgmerge, msgattrib, langs):
    tmp = tempfile.mkdtemp(prefix="caudal-pot-")
    try:
        pot = os.path.join(tmp, "caudal.pot")
        proc = subprocess.run([xgettext] + XGETTEXT_ARGS +
                              ["-f", os.path.join(PO, "POTFILES.in"), "-D", SOURCE, "-o", pot],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            fail("xgettext failed:\n" + proc.stderr)
            return
        for lang in langs:
            # The catalogue as caudal-update-po would make it, without
            # guessing (fuzzy) translations; then what is left untranslated.
            merged = os.path.join(tmp, lang + ".po")
            proc = subprocess.run([msgmerge, "--quiet", "--no-fuzzy-matching", "--no-wrap",
                                   "-o", merged, os.path.join(PO, lang + ".po"), pot],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                fail("msgmerge %s.po failed:\n%s" % (lang, proc.stderr))
                continue
            proc = subprocess.run([msgattrib, "--untranslated", "--no-obsolete", "--no-wrap", merged],
                                  capture_output=True, text=True)
            # Each entry's references and msgid lines (the header has none).
            missing = []
            for entry in proc.stdout.split("\n\n"):
                lines = entry.strip().splitlines()
                keep, in_id = [], False
                for line in lines:
                    if line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
                        in_id = True
                    elif line.startswith("msgstr"):
                        in_id = False
                    if line.startswith("#: ") or (in_id and line.strip()):
                        keep.append(line)
                if any(line.startswith("#: ") for line in keep):
                    missing += keep
            if proc.returncode != 0 or missing:
                fail("%s.po lacks translations of strings the sources mark (run "
                     "`ninja -C BUILD caudal-update-po` and translate them):\n  %s"
                     % (lang, "\n  ".join(missing) or proc.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    msgfmt, xgettext = tool("msgfmt"), tool("xgettext")
    msgmerge, msgattrib = tool("msgmerge"), tool("msgattrib")
    langs = languages()
    if msgfmt:
        for lang in langs:
            check_msgfmt(msgfmt, lang)
    if xgettext and msgmerge and msgattrib:
        check_current(xgettext, msgmerge, msgattrib, langs)
    if failures:
        return 1
    print("%s: complete and valid" % ", ".join(l + ".po" for l in langs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

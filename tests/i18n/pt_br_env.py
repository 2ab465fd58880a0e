# SPDX-License-Identifier: GPL-3.0-or-later
"""The environment the pt_BR tests run programs in.

A Debian machine rarely has pt_BR.UTF-8 generated, and CI may not be
allowed to edit /etc/locale.gen. So the locale is compiled into the build
folder with `localedef --no-archive` (definitions from Debian's `locales`
package) and found through LOCPATH: the programs run with
LANG=LC_ALL=pt_BR.UTF-8, as a Brazilian user's would.

Without localedef or the pt_BR definition, the programs run in C.UTF-8
with LANGUAGE=pt_BR: gettext honours LANGUAGE in every locale but "C"
(glibc ignores it there, not in C.UTF-8), so the messages are the same;
only the locale's formats would differ, and no output checked here uses
them. A note says which one is used.

The catalogues: CAUDAL_LOCALEDIR (the build's po/ folder, where meson puts
pt_BR/LC_MESSAGES/caudal.mo), as set by tests/i18n/meson.build.

As a program: pt_br_env.py LOCALE_DIR COMMAND [ARG…] runs COMMAND so.
"""

import os
import shutil
import subprocess
import sys
import tempfile

LOCALE = "pt_BR.UTF-8"


def _usable(env):
    """Whether a C program (python's setlocale is glibc's) accepts env's locale."""
    probe = [sys.executable, "-c", "import locale; locale.setlocale(locale.LC_ALL, '')"]
    return subprocess.run(probe, env=env, capture_output=True).returncode == 0


def _base_env():
    """The caller's environment without any language setting of its own."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("LC_") or k in ("LANG", "LANGUAGE", "LOCPATH"))}
    if not env.get("CAUDAL_LOCALEDIR"):
        raise RuntimeError("CAUDAL_LOCALEDIR is not set (the build's po/ folder)")
    mo = os.path.join(env["CAUDAL_LOCALEDIR"], "pt_BR", "LC_MESSAGES", "caudal.mo")
    if not os.path.isfile(mo):
        raise RuntimeError("%s is missing: build the caudal-gmo target" % mo)
    return env


def _compile(locale_dir):
    """localedef pt_BR.UTF-8 into locale_dir; False when it cannot."""
    localedef = shutil.which("localedef")
    if localedef is None:
        return False
    os.makedirs(locale_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="localedef-", dir=locale_dir)
    try:
        proc = subprocess.run([localedef, "--no-archive", "-i", "pt_BR", "-f", "UTF-8",
                               os.path.join(tmp, LOCALE)], capture_output=True, text=True)
        if proc.returncode != 0:
            print("# localedef pt_BR failed: %s" % (proc.stderr.strip() or proc.returncode))
            return False
        # Tests run in parallel: the first to finish puts it in place.
        try:
            os.rename(os.path.join(tmp, LOCALE), os.path.join(locale_dir, LOCALE))
        except OSError:
            pass
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def environment(locale_dir):
    """os.environ for a program that must speak Brazilian Portuguese."""
    env = _base_env()
    real = dict(env, LOCPATH=locale_dir, LANG=LOCALE, LC_ALL=LOCALE)
    if not _usable(real):
        # None yet, or compiled by an older glibc: make it again.
        shutil.rmtree(os.path.join(locale_dir, LOCALE), ignore_errors=True)
    if _usable(real) or (_compile(locale_dir) and _usable(real)):
        print("# locale: %s compiled in %s (LOCPATH)" % (LOCALE, locale_dir))
        return real
    print("# note: cannot compile %s here (localedef and Debian's `locales` package); "
          "using C.UTF-8 with LANGUAGE=pt_BR" % LOCALE)
    return dict(env, LANG="C.UTF-8", LC_ALL="C.UTF-8", LANGUAGE="pt_BR")


def c_environment():
    """os.environ for the same program untranslated."""
    return dict(_base_env(), LANG="C", LC_ALL="C")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: pt_br_env.py LOCALE_DIR COMMAND [ARG…]")
    sys.stdout.flush()
    env = environment(sys.argv[1])
    sys.stdout.flush()
    os.execvpe(sys.argv[2], sys.argv[2:], env)

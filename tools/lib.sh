# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by tools/run and tools/test: install what is missing, configure and
# build. Sourced, not executed.

CAUDAL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CAUDAL_BUILD="$CAUDAL_TOP/_build"

say() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Prints the packages of tools/packages.txt that are not installed. A line
# "a | b" is satisfied by either.
missing_packages() {
  local line alt ok
  sed -e 's/#.*//' "$CAUDAL_TOP/tools/packages.txt" | while read -r line; do
    [ -n "$line" ] || continue
    ok=
    IFS='|' read -ra alts <<<"$line"
    for alt in "${alts[@]}"; do
      alt=$(echo "$alt" | xargs)
      if dpkg-query -W -f='${Status}' "$alt" 2>/dev/null | grep -q 'install ok installed'; then
        ok=1
        break
      fi
    done
    if [ -z "$ok" ]; then
      # Install the first alternative the archive knows.
      for alt in "${alts[@]}"; do
        alt=$(echo "$alt" | xargs)
        if apt-cache show "$alt" >/dev/null 2>&1; then
          echo "$alt"
          ok=1
          break
        fi
      done
      [ -n "$ok" ] || echo "$(echo "${alts[0]}" | xargs)"
    fi
  done
}

install_packages() {
  local missing
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system: install the packages in tools/packages.txt yourself"
    return 0
  fi
  missing=$(missing_packages | sort -u | xargs)
  if [ -n "$missing" ]; then
    say "installing: $missing"
    as_root apt-get update -qq
    missing=$(missing_packages | sort -u | xargs)
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  else
    say "all packages present"
  fi
  # Node.js for the kafkajs tests: Debian's when the machine has none.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing nodejs and npm"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  fi
  # npm clients pinned by tests/clients/package-lock.json.
  if [ -f "$CAUDAL_TOP/tests/clients/package-lock.json" ] &&
     [ ! -d "$CAUDAL_TOP/tests/clients/node_modules" ]; then
    say "installing npm test clients"
    (cd "$CAUDAL_TOP/tests/clients" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# configure_build DIR [meson options…]
configure_build() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$CAUDAL_TOP" "$@"
  fi
  meson compile -C "$dir"
}

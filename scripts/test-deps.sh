#!/usr/bin/env bash
# Installs the system servers the tests run privately (redis-server, ngIRCd, Prosody) and the
# headless browser (Chromium), only those that are missing, on Debian/Ubuntu: as root, or with
# sudo when it needs no password. Otherwise it prints exactly what to install and fails.
# `npm test` runs it first; it changes nothing when everything is already there.
set -euo pipefail

# command → Debian package
need=()
# Servers live in /usr/sbin, which is not on every user's PATH (TEST_DEPS_SBIN: for this script's own test).
sbin=${TEST_DEPS_SBIN-/usr/sbin:/sbin}
have() { PATH="$PATH${sbin:+:$sbin}" command -v "$1" >/dev/null 2>&1; }
have redis-server || need+=(redis-server)
# The browser tests run CHROMIUM_PATH, by default Debian's /usr/bin/chromium (test/browser/browser.ts).
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
have ngircd || need+=(ngircd)
have prosody || need+=(prosody)
[ ${#need[@]} -eq 0 ] && exit 0

echo "The tests need: ${need[*]} (missing). Installing them with apt-get." >&2
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  as_root=(none)
fi
if [ "${as_root[*]}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<MSG
Cannot install them here (needs apt-get, and root or password-less sudo). Install them, then run npm test again:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}
(Other systems: install redis-server 7, ngircd, prosody and chromium from your package manager;
set CHROMIUM_PATH when chromium is not /usr/bin/chromium. On Ubuntu the chromium package is a
snap: install Debian's or Google's build and point CHROMIUM_PATH at it.)
Only the unit tests need none of them: npm run test:unit
MSG
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
# Debian starts packaged daemons on install; the tests start private instances on free ports,
# so stop the system ones this script just installed (never other running instances).
for pkg in "${need[@]}"; do
  case "$pkg" in
    redis-server | ngircd | prosody) ("${as_root[@]}" service "$pkg" stop || true) >/dev/null 2>&1 ;;
  esac
done
echo "Installed: ${need[*]}" >&2

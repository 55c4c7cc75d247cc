#!/usr/bin/env bash
# Installs the third-party tools the tests drive (router/interop): Autobahn|Python from
# Debian for Debian's /usr/bin/python3, and Autobahn|JS + wampy from npm into
# router/interop/testdata/node_modules, pinned by its package-lock.json.
# Idempotent: does nothing, quickly, when everything is present. Prints one line per
# thing installed; any failed install stops the script with a non-zero exit.
# Runs as root on Debian (CI=true, no stdin).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"

die() { echo "test-tools: $*" >&2; exit 1; }

# Debian packages: python3-autobahn pulls in msgpack (python3-msgpack) for its msgpack
# serializer; its cbor serializer imports cbor2, which it does not depend on.
apt_packages=(python3 python3-autobahn python3-msgpack python3-cbor2)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "need root to install Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null >/tmp/test-tools-apt-update.log 2>&1 ||
    { cat /tmp/test-tools-apt-update.log >&2; die "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/tmp/test-tools-apt.log 2>&1 ||
    { tail -40 /tmp/test-tools-apt.log >&2; die "apt-get install ${missing[*]} failed"; }
  for p in "${missing[@]}"; do
    echo "test-tools: installed Debian package $p $(dpkg-query -W -f='${Version}' "$p")"
  done
fi
/usr/bin/python3 -c 'import autobahn, msgpack, cbor2' ||
  die "/usr/bin/python3 cannot import autobahn, msgpack and cbor2"

# npm: reinstall from the lockfile when node_modules is missing or older than the lockfile.
js="$root/router/interop/testdata"
marker="$js/node_modules/.package-lock.json" # written by npm on every install
if [ ! -f "$marker" ] || [ "$js/package-lock.json" -nt "$marker" ]; then
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error </dev/null) >/tmp/test-tools-npm.log 2>&1 ||
    { tail -40 /tmp/test-tools-npm.log >&2; die "npm ci in router/interop/testdata failed"; }
  touch "$marker"
  echo "test-tools: installed npm packages in router/interop/testdata: $(cd "$js" && node -p \
    "Object.entries(require('./package.json').dependencies).map(([k, v]) => k + '@' + v).join(' ')")"
fi
for m in autobahn wampy ws; do
  [ -f "$js/node_modules/$m/package.json" ] || die "npm package $m missing in router/interop/testdata/node_modules"
done

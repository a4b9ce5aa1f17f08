#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the oracle tests (the built files, out/test/oracle) in stricter sandboxes than the developer's root shell,
# to prove that every kernel-dependent test probes what the running kernel allows and skips with a reason instead
# of assuming it:
#   1. a user namespace (`unshare -U -r`): uid 0 inside, but bpf() and bpffs refuse (no capability on the host);
#   2. an unprivileged user (nobody) with every capability dropped (`setpriv`).
# Fails when any test fails in either. Needs root (to become nobody) and a build (`npm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

if [ ! -d out/test/oracle ]; then echo "test-strict-sandbox: no out/test/oracle: run npm run build first" >&2; exit 1; fi
if [ "$(id -u)" != "0" ]; then echo "test-strict-sandbox: skipped: needs root to start the unprivileged sandboxes"; exit 0; fi
if ! command -v setpriv >/dev/null 2>&1; then echo "test-strict-sandbox: skipped: setpriv (util-linux) is not installed"; exit 0; fi

# The sandboxed users cannot read a checkout under a private directory: stage what the tests read in a directory
# everyone can read (the build output, test data, bundled headers and scenarios; node_modules by link when readable).
stage="$(mktemp -d /tmp/bil-strict-XXXXXX)"
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
cp -r out test package.json "$stage/"
mkdir -p "$stage/scripts" && cp scripts/*.js "$stage/scripts/"
mkdir -p "$stage/server" && cp -r server/headers server/scenarios "$stage/server/"
[ -d schemas ] && cp -r schemas "$stage/"
modules="$(readlink -f node_modules)"
if setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$modules/mocha/package.json" 2>/dev/null; then
  ln -s "$modules" "$stage/node_modules"
else
  cp -r "$modules" "$stage/node_modules"
fi
chmod -R a+rX "$stage"

mocha=(node node_modules/mocha/bin/mocha.js --no-config --timeout 600000 --reporter ./test/mocha-reporter.js 'out/test/oracle/**/*.test.js')
status=0
run_in() { # name, command prefix...
  local name="$1"; shift
  echo "== oracle tests in $name"
  local log="$stage/$name.log"
  if ! (cd "$stage" && env -i PATH="$PATH" HOME="$stage" TMPDIR=/tmp "$@" "${mocha[@]}") 2>&1 | tee "$log"; then status=1; fi
  if ! grep -Eq '^[0-9]+ passed, 0 failed' "$log"; then echo "test-strict-sandbox: failures in $name" >&2; status=1; fi
}

if unshare -U -r true 2>/dev/null; then
  run_in user-namespace unshare -U -r
else
  echo "== user namespaces are not available here: that sandbox is skipped"
fi
run_in unprivileged-user setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all

[ "$status" = 0 ] && echo "test-strict-sandbox: oracle tests pass (skipping with reasons) in the stricter sandboxes"
exit "$status"

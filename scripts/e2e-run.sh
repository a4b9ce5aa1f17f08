#!/usr/bin/env bash
# Runs the VS Code e2e tests: installs the packaged .vsix into a fresh code-server, then
#   1. the mocha suite inside the real extension host (test/e2e/run-api-tests.js -> test/e2e/suite/), and
#   2. the browser UI tests (test/e2e/ui.e2e.js), which save screenshots under test/e2e/screenshots/.
# The @vscode/test-electron launcher of the same suite is test/e2e/run-electron.js (needs a desktop VS Code).
# Recipe: /work/shared/recipes/vscode-e2e.md. Everything started here is killed on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VSIX="${VSIX:-$ROOT/bpf-iter-lab.vsix}"
SRC_WS="${WS:-$ROOT/test/e2e/fixtures/ws}"
SHOTS="${SHOTS:-$ROOT/test/e2e/screenshots}"
[ -f "$VSIX" ] || { echo "e2e: $VSIX is missing; run 'npm run package' first" >&2; exit 1; }
[ -f "$ROOT/dist/server.js" ] || { echo "e2e: dist/server.js is missing (the language server is not built yet)" >&2; exit 1; }
eval "$(bash "$ROOT/scripts/e2e-setup.sh" | grep -E '^(NODE24_BIN|CODE_SERVER)=')"

RUN="$(mktemp -d "${TMPDIR:-/tmp}/bpf-iter-e2e.XXXXXX")"
# The tests create and edit files: work on a copy of the fixture workspace.
WS_COPY="$RUN/ws"
cp -r "$SRC_WS" "$WS_COPY"
# Scenario files point at the schema relative to the fixture folder; give the copy the same neighbourhood.
mkdir -p "$RUN/schemas" && cp "$ROOT/schemas/scenario.schema.json" "$RUN/schemas/" 2>/dev/null || true
sed -i 's|"\.\./\.\./\.\./\.\./schemas/|"../schemas/|' "$WS_COPY"/*.bpfscenario.json
mkdir -p "$RUN/user/User" "$RUN/extensions" "$SHOTS"
: > "$RUN/config.yaml"
cat > "$RUN/user/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "workbench.tips.enabled": false,
  "editor.codeLens": true,
  "files.autoSave": "off",
  "diffEditor.useInlineViewWhenSpaceIsLimited": false
}
JSON
CS=(env "PATH=$NODE24_BIN:$PATH" "$CODE_SERVER" --config "$RUN/config.yaml"
    --user-data-dir "$RUN/user" --extensions-dir "$RUN/extensions")

"${CS[@]}" --install-extension "$VSIX" --force >"$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; exit 1; }
grep -q "bpf-iter-lab" "$RUN/install.log" || { cat "$RUN/install.log"; exit 1; }

PORT="${PORT:-$("$NODE24_BIN/node" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
setsid bash -c 'echo $$ > "$0"; exec "$@"' "$RUN/code-server.pid" "${CS[@]}" \
  --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
  --disable-update-check --disable-workspace-trust --ignore-last-opened \
  --vscode-option enable-smoke-test-driver \
  "$WS_COPY" >"$RUN/code-server.log" 2>&1 </dev/null &
until [ -s "$RUN/code-server.pid" ]; do sleep 0.05; done
CS_PID="$(cat "$RUN/code-server.pid")"
cleanup() {
  kill -TERM -- "-$CS_PID" 2>/dev/null || true; sleep 1; kill -KILL -- "-$CS_PID" 2>/dev/null || true
  if [ "${KEEP_E2E_RUN:-}" = "" ]; then rm -rf "$RUN"; else echo "e2e: run dir kept at $RUN"; fi
}
trap cleanup EXIT
until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
  kill -0 "$CS_PID" 2>/dev/null || { cat "$RUN/code-server.log"; exit 1; }
  sleep 0.2
done

status=0
node "$ROOT/test/e2e/run-electron.js" || status=1
node "$ROOT/test/e2e/run-api-tests.js" "http://127.0.0.1:$PORT" "$WS_COPY" "$ROOT" "$ROOT/test/e2e/suite/index.js" || status=1
# Each browser layer gets a fresh server: a closed page leaves its extension host running (recipe pitfalls).
restart_server() {
  kill -TERM -- "-$CS_PID" 2>/dev/null || true; sleep 1; kill -KILL -- "-$CS_PID" 2>/dev/null || true
  rm -f "$RUN/code-server.pid"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$RUN/code-server.pid" "${CS[@]}" \
    --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
    --disable-update-check --disable-workspace-trust --ignore-last-opened \
    "$WS_COPY" >"$RUN/code-server-$1.log" 2>&1 </dev/null &
  until [ -s "$RUN/code-server.pid" ]; do sleep 0.05; done
  CS_PID="$(cat "$RUN/code-server.pid")"
  until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 "$CS_PID" 2>/dev/null || { cat "$RUN/code-server-$1.log"; exit 1; }
    sleep 0.2
  done
}
restart_server ui
node "$ROOT/test/e2e/ui.e2e.js" "http://127.0.0.1:$PORT" "$WS_COPY" "$SHOTS" || status=1
restart_server debug
node "$ROOT/test/e2e/debug.e2e.js" "http://127.0.0.1:$PORT" "$WS_COPY" "$SHOTS" || status=1
exit $status

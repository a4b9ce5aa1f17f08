'use strict';
// Runs inside the real extension host against the real language server (dist/server.js).
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'bpf-iter-lab.bpf-iter-lab';
const ws = () => vscode.workspace.workspaceFolders[0].uri;
const fixture = (name) => vscode.Uri.joinPath(ws(), name);

async function poll(what, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function api() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  const exported = ext.isActive ? ext.exports : await ext.activate();
  await poll('the server to run', () => exported.server.state === 'running');
  return exported;
}

async function open(name) {
  const doc = await vscode.workspace.openTextDocument(fixture(name));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
  return doc;
}

suite('BPF Iterator Lab extension', () => {
  suiteTeardown(async () => {
    await vscode.workspace.fs.delete(fixture('prints_markup.bpfscenario.json')).then(undefined, () => undefined);
  });

  test('activates for a *.bpf.c file and starts the language server', async () => {
    await open('map_summary.bpf.c');
    const exported = await api();
    assert.strictEqual(exported.server.state, 'running');
    assert.ok(exported.server.serverPid > 0, 'the server runs as its own process');
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['bpfIter.run', 'bpfIter.runOnMap', 'bpfIter.showLinkInfo', 'bpfIter.createScenario', 'bpfIter.restartServer', 'bpfIter.openMaps']) {
      assert.ok(commands.includes(c), c);
    }
  });

  test('reports a missing NULL check with the verifier words at the access', async () => {
    const doc = await open('missing_null_check.bpf.c');
    const diags = await poll('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length > 0 && d;
    });
    const access = diags.find((d) => /invalid mem access 'trusted_ptr_or_null_'/.test(d.message));
    assert.ok(access, `diagnostics were: ${diags.map((d) => d.message).join(' | ')}`);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('map->id'));
    assert.strictEqual(access.range.start.line, line, 'on the line that dereferences map');
    assert.strictEqual(access.severity, vscode.DiagnosticSeverity.Error);
  });

  test('hover on ctx->meta shows the ctx field documentation', async () => {
    const doc = await open('map_summary.bpf.c');
    await api();
    const line = doc.getText().split('\n').findIndex((l) => l.includes('ctx->meta->seq;'));
    const character = doc.lineAt(line).text.indexOf('meta') + 1;
    const hovers = await poll('a hover', async () => {
      const h = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, character));
      return h && h.length > 0 && h;
    });
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /seq_file/);
    assert.match(text, /struct bpf_iter_meta \*/);
  });

  test('Run Iterator runs the program on the scenario and the panel shows what cat would', async () => {
    const doc = await open('map_summary.bpf.c');
    const exported = await api();
    const result = await vscode.commands.executeCommand('bpfIter.run', doc.uri);
    assert.ok(result, 'the command returns the run result');
    assert.strictEqual(result.error, null, result.error && result.error.message);
    // "%4u %-16s %5u %5u %8u %8lld": id, name, key_size, value_size, max_entries, element count
    assert.match(result.output, /^ *\d+ conntrack {8}\s+4\s+8\s+1024\s+3$/m);
    assert.match(result.output, /^\d+ maps\n$/m);
    assert.strictEqual(result.link.target_name, 'bpf_map');
    assert.match(result.bpftool, /target_name bpf_map/);
    const panel = exported.openPanels().find((p) => p.uri === doc.uri.toString());
    assert.ok(panel, 'a Run panel is open for the program');
    assert.strictEqual(panel.output, result.output);
  });

  test('the code lens runs its program', async () => {
    const doc = await open('prints_markup.bpf.c');
    await api();
    const lenses = await poll('code lenses', async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 10);
      return l && l.filter((x) => x.command && x.command.command === 'bpfIter.run').length > 0 && l;
    });
    const run = lenses.find((x) => x.command && x.command.command === 'bpfIter.run');
    const result = await vscode.commands.executeCommand(run.command.command, ...(run.command.arguments || []));
    assert.strictEqual(result.output, '<script>alert(1)</script><b>bold?</b>\n');
  });

  test('an attach refused with EACCES names the errno and the source range', async () => {
    const doc = await open('key_too_wide.bpf.c');
    await api();
    const result = await vscode.commands.executeCommand('bpfIter.run', doc.uri);
    assert.ok(result && result.error, 'the run reports an error');
    assert.strictEqual(result.error.errno, 'EACCES');
    assert.ok(result.error.range, 'with a source range');
    const line = doc.lineAt(result.error.range.start.line).text;
    assert.match(line, /key/, `the range points at the key access, got line: ${line}`);
  });

  test('Create Scenario File writes <stem>.bpfscenario.json with the schema', async () => {
    const doc = await open('prints_markup.bpf.c');
    await api();
    const created = await vscode.commands.executeCommand('bpfIter.createScenario', doc.uri);
    assert.strictEqual(path.basename(created.path), 'prints_markup.bpfscenario.json');
    const json = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(created)).toString('utf8'));
    assert.match(json.$schema, /scenario\.schema\.json$/);
    assert.strictEqual(typeof json.cpus, 'number');
  });

  test('restarts a killed server and re-sends the open documents', async () => {
    const doc = await open('missing_null_check.bpf.c');
    const exported = await api();
    // An unsaved edit: only the client's didOpen after the restart can tell the new server about it.
    const edit = new vscode.WorkspaceEdit();
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('int dump_ids('));
    edit.replace(doc.uri, new vscode.Range(line, 4, line, 12), 'dump_ids_unsaved');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const oldPid = exported.server.serverPid;
      process.kill(oldPid, 'SIGKILL');
      await poll('a new server process', () => {
        const pid = exported.server.serverPid;
        return exported.server.state === 'running' && pid && pid !== oldPid;
      });
      const listed = await poll('the program list from the new server', async () => {
        const r = await exported.server.sendRequest('bpfIter/listPrograms', { uri: doc.uri.toString() }).catch(() => undefined);
        return r && r.programs.length > 0 && r;
      });
      assert.deepStrictEqual(listed.programs.map((p) => p.name), ['dump_ids_unsaved']);
      await poll('diagnostics from the new server', () => vscode.languages.getDiagnostics(doc.uri).length > 0);
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('Restart Server command brings the server back', async () => {
    const exported = await api();
    const oldPid = exported.server.serverPid;
    await vscode.commands.executeCommand('bpfIter.restartServer');
    await poll('the restarted server', () => exported.server.state === 'running' && exported.server.serverPid !== oldPid);
  });
});

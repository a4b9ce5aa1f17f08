/**
 * The build setup through the real server process: compile_flags.txt is read for an opened file, and a change
 * to it on disk (reported with workspace/didChangeWatchedFiles, which the client sends for
 * **\/compile_flags.txt and **\/compile_commands.json) re-validates the open programs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DidChangeWatchedFilesNotification, FileChangeType, HoverRequest } from 'vscode-languageserver-protocol/node';
import { MarkupContent } from 'vscode-languageserver-types';
import { TestLspClient } from './lspClient';
import { URI } from '../../server/src/service/uri';
import { WATCHED_FILES_GLOB } from '../../shared/src/protocol';

describe('LSP build setup (real process)', function () {
  this.timeout(60000);
  let client: TestLspClient | undefined;
  let root: string | undefined;
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('the client watches the build files and headers', () => {
    // The glob has VS Code's `**/{a,b}` form: any folder, then one of the brace's name patterns.
    const braces = /^\*\*\/\{(.*)\}$/.exec(WATCHED_FILES_GLOB);
    assert.ok(braces, WATCHED_FILES_GLOB);
    const names = braces[1].split(',').map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`));
    const watched = (file: string) => names.some((n) => n.test(path.basename(file)));
    for (const file of ['compile_flags.txt', 'build/compile_commands.json', 'p/bpf/.clangd', 'p/headers/vmlinux.h', 'p/x.bpfscenario.json']) {
      assert.ok(watched(file), file);
    }
    assert.ok(!watched("src/prog.bpf.c"));
  });

  it('an edit to compile_flags.txt on disk re-validates the open program; hover on the #include then names it', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-lsp-setup-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.mkdirSync(path.join(root, 'headers'));
    fs.writeFileSync(path.join(root, 'headers/show_limits.h'), '#define LIMIT 3\n');
    const flags = path.join(root, 'compile_flags.txt');
    fs.writeFileSync(flags, '-D__TARGET_ARCH_x86\n');
    const program = path.join(root, 'src/prog.bpf.c');
    const text = '#include "vmlinux.h"\n#include <show_limits.h>\nint limit = LIMIT;\n';
    fs.writeFileSync(program, text);
    client = await TestLspClient.start();
    const c = client;
    const uri = URI.fromPath(program);
    await c.open(uri, text, 1);
    const first = await c.waitForDiagnostics((p) => p.uri === uri);
    assert.ok(first.diagnostics.some((d) => /'show_limits\.h' file not found; .*compile_flags\.txt/.test(String(d.message))), JSON.stringify(first.diagnostics));
    c.diagnostics.splice(0);
    fs.writeFileSync(flags, '-D__TARGET_ARCH_x86\n-Iheaders\n');
    await c.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: URI.fromPath(flags), type: FileChangeType.Changed }] });
    const second = await c.waitForDiagnostics((p) => p.uri === uri);
    assert.deepStrictEqual(second.diagnostics.filter((d) => d.severity === 1), []);
    const hover = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 3 } });
    assert.match((hover!.contents as MarkupContent).value, /found in -I headers from compile_flags\.txt at .*compile_flags\.txt/);
  });

  it('which .c documents are programs: a section (SEC, __section), or a build setup for BPF (.clangd); userland C is not validated', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-lsp-sources-'));
    fs.mkdirSync(path.join(root, 'bpf'));
    fs.mkdirSync(path.join(root, 'tools'));
    fs.writeFileSync(path.join(root, 'bpf/.clangd'), 'CompileFlags:\n  Add: [--target=bpf]\n');
    // each with an error, so a validated document has a diagnostic to publish
    const documents: Array<[string, string, boolean]> = [
      ['tools/sec.c', '#include <bpf/bpf_helpers.h>\nSEC("xdp") int pass(void *ctx) { return undeclared_a; }\n', true],
      ['tools/cilium.c', '#define __section(X) __attribute__((section(X), used))\n__section("tc") int pass(void *ctx) { return undeclared_b; }\n', true],
      ['bpf/helper.c', 'static int helper(int x) { return x + undeclared_c; }\n', true],
      ['tools/main.c', 'int main(void) { return undeclared_d; }\n', false],
    ];
    client = await TestLspClient.start();
    const c = client;
    for (const [name, text] of documents) {
      fs.writeFileSync(path.join(root, name), text);
      await c.open(URI.fromPath(path.join(root, name)), text, 1);
    }
    // whether a document is validated is decided as it opens: once the programs' diagnostics are out, the others
    // will never have any
    for (const [name, , validated] of documents) {
      if (!validated) continue;
      const uri = URI.fromPath(path.join(root, name));
      const published = await c.waitForDiagnostics((p) => p.uri === uri);
      assert.ok(published.diagnostics.some((d) => d.severity === 1), `${name}: ${JSON.stringify(published.diagnostics)}`);
    }
    for (const [name, , validated] of documents) {
      if (validated) continue;
      const uri = URI.fromPath(path.join(root, name));
      assert.deepStrictEqual(c.diagnostics.filter((p) => p.uri === uri), [], name);
    }
  });
});

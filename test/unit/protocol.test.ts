import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CommandIds, ListProgramsRequestMethod, progressNoun, runProgressMessage, RunRequestMethod } from '../../shared/src/protocol';
import { SIMULATED_ITER_TARGETS } from '../../server/src/kernel/kernel';
import { ListProgramsRequest, RunRequest } from '../../shared/src/requests';

const root = path.join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('shared protocol', () => {
  it('names the custom requests under the bpfIter/ prefix, and the typed constants carry those methods', () => {
    assert.strictEqual(RunRequestMethod, 'bpfIter/run');
    assert.strictEqual(ListProgramsRequestMethod, 'bpfIter/listPrograms');
    assert.strictEqual(RunRequest.method, RunRequestMethod);
    assert.strictEqual(ListProgramsRequest.method, ListProgramsRequestMethod);
  });

  it('package.json contributes exactly the commands of the CommandIds table, and menus and keys name only those', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const table = new Set<string>(Object.values(CommandIds));
    const contributed = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    assert.deepStrictEqual([...contributed].sort(), [...table].sort());
    const referenced: string[] = [];
    for (const entries of Object.values(manifest.contributes.menus ?? {}) as Array<Array<{ command?: string }>>) {
      for (const entry of entries) if (entry.command) referenced.push(entry.command);
    }
    for (const key of manifest.contributes.keybindings ?? []) referenced.push(key.command);
    for (const id of referenced) assert.ok(table.has(id), `${id} is used in package.json but is not in CommandIds`);
  });

  it('client and server name commands and requests only through shared/ (no string copies)', () => {
    const ids = Object.values(CommandIds);
    const offenders: string[] = [];
    for (const file of [...sourceFiles(path.join(root, 'client', 'src')), ...sourceFiles(path.join(root, 'server', 'src'))]) {
      // Comments may name them; code may not.
      const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const id of [...ids, RunRequestMethod, ListProgramsRequestMethod]) {
        if (text.includes(`'${id}'`) || text.includes(`"${id}"`) || text.includes(`\`${id}\``)) offenders.push(`${path.relative(root, file)}: ${id}`);
      }
    }
    assert.deepStrictEqual(offenders, []);
  });
});

describe('shared protocol: progress lines name what a target walks', () => {
  it('every simulated target has a noun of its own, so a progress line never says "objects" for a known walk', () => {
    for (const target of SIMULATED_ITER_TARGETS) assert.notStrictEqual(progressNoun(target), 'objects', target);
    assert.strictEqual(progressNoun(undefined), 'objects');
    assert.strictEqual(runProgressMessage({ progressId: 'p', objects: 412000, total: 1000000, bytes: 0, elapsedMs: 1, objectsPerSecond: 1210000, target: 'bpf_map_elem' }),
      '412,000 of 1,000,000 elements, 1,210,000 elements/s');
  });
});

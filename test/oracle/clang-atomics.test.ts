/**
 * Differential test of the atomic builtins against the machine's clang: a sample of the recorded table's rows
 * (test/fixtures/atomics/clang14-bpf-atomics.json) is compiled again with `clang -target bpf -mcpu=CPU -O2`, and
 * clang's verdict must be the table's and ours. Skipped with one line where clang is missing or is not clang 14
 * (another version's backend may accept more).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ATOMICS_TABLE, AtomicsTable, ourClass, refusalClass } from '../unit/lang/atomicsTable';

const TYPES: Record<string, string> = { 1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long' };

/** The C of one row: the builtin on a global of that size, its result stored to a volatile or discarded. */
function rowProgram(row: string): string {
  const [name, size, used] = row.split('/');
  const t = TYPES[size];
  const call = name === '__sync_lock_release' ? `${name}(&g)`
    : name === '__atomic_load_n' ? `${name}(&g, __ATOMIC_SEQ_CST)`
      : name === '__atomic_compare_exchange_n' ? `${name}(&g, &e, 4, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)`
        : /compare_and_swap/.test(name) ? `${name}(&g, 3, 4)`
          : name.startsWith('__atomic_') ? `${name}(&g, 3, __ATOMIC_SEQ_CST)` : `${name}(&g, 3)`;
  const returnsNothing = name === '__atomic_store_n' || name === '__sync_lock_release';
  return `${t} g; ${t} e; volatile ${t} r;\n__attribute__((section("iter/bpf_map"), used)) int f(void *ctx) { ${used === 'used' && !returnsNothing ? 'r = ' : ''}${call}; return 0; }\n`;
}

function clangClass(directory: string, row: string, cpu: string): string {
  const file = path.join(directory, 'row.c');
  fs.writeFileSync(file, rowProgram(row));
  const r = spawnSync('clang', ['-target', 'bpf', ...(cpu === 'v1' ? [] : [`-mcpu=${cpu}`]), '-O2', '-c', file, '-o', path.join(directory, 'row.o')], { encoding: 'utf8' });
  if (r.status === 0) return 'ok';
  const line = r.stderr.split('\n').find((l) => /Unsupported atomic|XADD|Cannot select/.test(l));
  return refusalClass(line ?? r.stderr);
}

describe('oracle: clang -target bpf on the atomic builtins, by -mcpu', function () {
  this.timeout(300_000);
  it('compiles what the table says and refuses with its reason, for a sample of rows of each CPU', function () {
    const version = spawnSync('clang', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) { this.skip(); return; }
    if (!/clang version 14\./.test(version.stdout)) { console.log(`      skipped: the table is clang 14's; this is ${version.stdout.split('\n')[0]}`); this.skip(); return; }
    const table = JSON.parse(fs.readFileSync(ATOMICS_TABLE, 'utf8')) as AtomicsTable;
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-atomics-'));
    try {
      for (const cpu of ['v1', 'v3'] as const) {
        const rows = Object.keys(table.cpus[cpu]);
        // every 8th row, from a different start each run: the whole table over a few runs
        const start = Math.floor(Math.random() * 8);
        for (let i = start; i < rows.length; i += 8) {
          const clang = clangClass(directory, rows[i], cpu);
          assert.strictEqual(clang, table.cpus[cpu][rows[i]], `${rows[i]} -mcpu=${cpu}: clang says ${clang}`);
          assert.strictEqual(ourClass(rows[i], cpu), clang, `${rows[i]} -mcpu=${cpu}: ours`);
        }
      }
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

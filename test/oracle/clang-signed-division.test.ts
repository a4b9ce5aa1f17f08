/**
 * Differential test of signed division against the machine's clang: each row of
 * test/fixtures/signedDivision/clang14.json is compiled again (`clang -g -O2 -target bpf`, the bundled vmlinux.h and
 * libbpf headers), and clang's verdict must be the recording's. `RECORD=1` writes the recording instead. Skipped with
 * one line where clang is missing or is not clang 14 (clang 18 and later say it in other words, and compile it with
 * -mcpu=v4).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SIGNED_DIVISION_ROWS, SIGNED_DIVISION_TABLE, SignedDivisionTable, signedDivisionProgram } from '../unit/checker/signedDivisionTable';

const HEADERS = path.join(__dirname, '..', '..', '..', 'server', 'headers');

function clangRefuses(directory: string, body: string): boolean {
  const file = path.join(directory, 'row.bpf.c');
  fs.writeFileSync(file, signedDivisionProgram(body));
  const r = spawnSync('clang', ['-g', '-O2', '-target', 'bpf', '-I', HEADERS, '-c', file, '-o', path.join(directory, 'row.o')], { encoding: 'utf8' });
  if (r.status === 0) return false;
  if (/Unsupport signed division/.test(r.stderr)) return true;
  throw new Error(`clang failed otherwise on ${body}:\n${r.stderr}`);
}

describe('oracle: clang -target bpf on signed division', function () {
  this.timeout(300_000);
  it('refuses exactly the recorded rows ("Unsupport signed division")', function () {
    const version = spawnSync('clang', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) { console.log('      skipped: no clang on this machine'); this.skip(); return; }
    if (!/clang version 14\./.test(version.stdout)) { console.log(`      skipped: the recording is clang 14's; this is ${version.stdout.split('\n')[0]}`); this.skip(); return; }
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-sdiv-'));
    try {
      const rows = SIGNED_DIVISION_ROWS.map((body) => ({ body, refused: clangRefuses(directory, body) }));
      if (process.env.RECORD) {
        const table: SignedDivisionTable = { clang: version.stdout.split('\n')[0], rows };
        fs.writeFileSync(SIGNED_DIVISION_TABLE, `${JSON.stringify(table, null, 1)}\n`);
        return;
      }
      const table = JSON.parse(fs.readFileSync(SIGNED_DIVISION_TABLE, 'utf8')) as SignedDivisionTable;
      assert.deepStrictEqual(rows, table.rows);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

/**
 * server/src/codeCache.ts: the bundle is loaded with V8's code cache from the cache folder; the first process writes
 * it as it exits, the next uses it, a damaged or truncated file is refused (the module loads as usual) and written
 * again, another source gets its own file. Each load is a child process, since the cache is written at exit.
 */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const LOADER = path.join(__dirname, '../../server/src/codeCache.js');

describe('code cache: the bundle is loaded with the code V8 compiled in the last process', function () {
  this.timeout(60_000);
  let work: string;
  let cache: string;
  let moduleFile: string;

  /** Loads `moduleFile` in a new process: the outcome and what the module computed. */
  const load = (): { outcome: string; value: unknown } => {
    const script = `const r = require(${JSON.stringify(LOADER)}).loadWithCodeCache(${JSON.stringify(moduleFile)}, ${JSON.stringify(cache)});`
      + 'process.stdout.write(JSON.stringify({ outcome: r.outcome, value: r.exports.compute(20) }));';
    return JSON.parse(cp.execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  };
  const cacheFiles = () => fs.readdirSync(cache).filter((f) => f.startsWith('code-'));

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-code-cache-'));
    cache = path.join(work, 'cache');
    moduleFile = path.join(work, 'bundle.js');
    fs.writeFileSync(path.join(work, 'helper.js'), 'exports.square = (n) => n * n;\n');
    fs.writeFileSync(moduleFile, [
      "const { square } = require('./helper');",
      'function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }',
      "exports.compute = (n) => ({ fib: fib(n), square: square(n), file: require('path').basename(__filename), self: module.exports === exports });",
    ].join('\n'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const expected = { fib: 6765, square: 400, file: 'bundle.js', self: true };

  it('the first process writes the cache as it exits, the next one uses it, and both compute the same', () => {
    assert.deepStrictEqual(load(), { outcome: 'none', value: expected });
    assert.strictEqual(cacheFiles().length, 1);
    assert.deepStrictEqual(load(), { outcome: 'used', value: expected });
    assert.deepStrictEqual(load(), { outcome: 'used', value: expected });
  });

  it('a damaged or truncated cache file is refused, the module loads as usual, and the file is written again', () => {
    load();
    const [name] = cacheFiles();
    const file = path.join(cache, name);
    const good = fs.readFileSync(file);
    for (const damaged of [Buffer.concat([good.subarray(0, 40), Buffer.from([good[40] ^ 0xff]), good.subarray(41)]), good.subarray(0, good.length - 7), good.subarray(0, 10), Buffer.alloc(0)]) {
      fs.writeFileSync(file, damaged);
      assert.deepStrictEqual(load(), { outcome: 'damaged', value: expected });
      assert.deepStrictEqual(load(), { outcome: 'used', value: expected }, 'written again');
    }
  });

  it('another source is another cache file: a changed bundle never runs the old code', () => {
    load();
    fs.appendFileSync(moduleFile, '\nexports.compute = (n) => ({ changed: n });\n');
    const changed = load();
    assert.deepStrictEqual(changed, { outcome: 'none', value: { changed: 20 } });
    assert.deepStrictEqual(load(), { outcome: 'used', value: { changed: 20 } });
    assert.strictEqual(cacheFiles().length, 2);
  });
});

/**
 * Loads the bundled CLI (`dist/cli.js`, 2.7 MB of JavaScript) with V8's code cache kept in the OS cache folder
 * (service/diskCache.ts `cacheFolder`), so a next start runs the bytecode the last process compiled instead of
 * compiling each function again the first time it runs: the language server's first analysis after a start calls
 * most of the front end and the checker for the first time. `bin/bpf-iter.js` uses it; its own bundle is
 * `dist/codeCache.js`.
 *
 * The cache file is keyed by the bundle's bytes, Node's version and the architecture (V8 also refuses data made by
 * another V8 or with other flags), and holds the SHA-256 of its data, checked before V8 sees it: a damaged, truncated
 * or foreign file is ignored and written again. When there was none, or V8 refused it, the process writes one as it
 * exits, with every function it compiled. Nothing here is required to work: any problem loads the bundle as usual.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';
import { cacheFolder } from './service/diskCache';

/** Bump when the file layout changes. */
const CODE_CACHE_VERSION = 1;
const CHECKSUM_BYTES = 32;

/** What happened to the code cache (tests and `BPF_ITER_CODE_CACHE_DEBUG`). */
export type CodeCacheOutcome = 'off' | 'none' | 'used' | 'rejected' | 'damaged';

interface InternalModule {
  _nodeModulePaths(from: string): string[];
  _cache: Record<string, unknown>;
  wrap(source: string): string;
}

/** The exports of the CommonJS file `file`, loaded through the code cache in `folder` when there is one. */
export function loadWithCodeCache(file: string, folder: string | undefined = cacheFolder()): { exports: unknown; outcome: CodeCacheOutcome } {
  if (!folder) return { exports: require(file), outcome: 'off' };
  let bytes: Buffer;
  try { bytes = fs.readFileSync(file); } catch { return { exports: require(file), outcome: 'off' }; }
  const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}\0${CODE_CACHE_VERSION}`).digest('hex');
  const cacheFile = path.join(folder, `code-${key}.bin`);
  const stored = readIfPresent(cacheFile);
  let cachedData: Buffer | undefined;
  let outcome: CodeCacheOutcome = 'none';
  if (stored) {
    const data = stored.subarray(CHECKSUM_BYTES);
    if (stored.length > CHECKSUM_BYTES && createHash('sha256').update(data).digest().equals(stored.subarray(0, CHECKSUM_BYTES))) cachedData = data;
    else outcome = 'damaged';
  }
  const internal = Module as unknown as InternalModule;
  const script = new vm.Script(internal.wrap(bytes.toString('utf8')), { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cachedData) outcome = script.cachedDataRejected ? 'rejected' : 'used';
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = internal._nodeModulePaths(path.dirname(file));
  internal._cache[file] = loaded;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  loaded.loaded = true;
  if (outcome !== 'used') process.once('exit', () => save(cacheFile, script));
  return { exports: loaded.exports, outcome };
}

function readIfPresent(file: string): Buffer | undefined {
  try { return fs.readFileSync(file); } catch { return undefined; }
}

/** Written whole (a temporary file renamed), so another process never reads half of it. */
function save(cacheFile: string, script: vm.Script): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(temporary, Buffer.concat([createHash('sha256').update(data).digest(), data]));
    fs.renameSync(temporary, cacheFile);
    dropOldCaches(path.dirname(cacheFile), cacheFile);
  } catch {
    try { fs.rmSync(temporary, { force: true }); } catch { /* read-only folder: no cache */ }
  }
}

/** Each build of the bundle has its own file: the newest few are kept (an extension and a CLI of other versions). */
function dropOldCaches(folder: string, kept: string): void {
  const caches = fs.readdirSync(folder).filter((name) => /^code-[0-9a-f]{64}\.bin$/.test(name)).map((name) => path.join(folder, name))
    .filter((file) => file !== kept).map((file) => ({ file, mtime: fs.statSync(file).mtimeMs })).sort((a, b) => b.mtime - a.mtime);
  for (const { file } of caches.slice(KEPT_CODE_CACHES - 1)) fs.rmSync(file, { force: true });
}
const KEPT_CODE_CACHES = 3;

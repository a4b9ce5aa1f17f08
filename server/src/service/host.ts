import * as fs from 'fs';
import * as childProcess from 'child_process';
import { createHash } from 'crypto';
import * as nodePath from 'path';
import type { SystemIncludeFolders } from '../lang/buildSetup';
import { setLazyIndexStore } from '../lang/lazyHeader';
import { cacheFolder, createDiskIndexStore } from './diskCache';

/**
 * What the front end may read. The language server layers open documents over the disk, so a header
 * being edited is seen as typed; tests use an in-memory host.
 */
export interface FileHost {
  readFile(path: string): string | undefined;
  fileExists(path: string): boolean;
  /** A cheap change stamp (mtime + size, or a version counter) used to validate cached headers. */
  stamp(path: string): string | undefined;
  /** The system folders clang -target bpf would search on this machine; none when absent (tests, in-memory hosts). */
  systemIncludeFolders?(): SystemIncludeFolders;
  /** A binary file's bytes (a scenario's entries_file), never decoded; undefined when it cannot be read. */
  readBytes?(path: string): Uint8Array | undefined;
  /** A file's size in bytes without reading it; undefined when it is not a readable file. */
  fileSize?(path: string): number | undefined;
}

/** Files larger than this are refused by the host, so a stray huge file cannot exhaust memory. */
export const MAX_SOURCE_FILE_BYTES = 64 * 1024 * 1024;

let diskCacheInstalled = false;

export function createNodeHost(): FileHost {
  // The real host keeps lazily indexed headers' indexes between processes (diskCache.ts); tests' in-memory hosts do not.
  if (!diskCacheInstalled) {
    diskCacheInstalled = true;
    const folder = cacheFolder();
    if (folder) setLazyIndexStore(createDiskIndexStore(folder));
  }
  return {
    readFile(path) {
      try {
        const st = fs.statSync(path);
        if (!st.isFile() || st.size > MAX_SOURCE_FILE_BYTES) return undefined;
        return fs.readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    fileExists(path) {
      try { return fs.statSync(path).isFile(); } catch { return false; }
    },
    stamp(path) {
      try { const st = fs.statSync(path); return `${st.mtimeMs}:${st.size}`; } catch { return undefined; }
    },
    systemIncludeFolders: probeSystemIncludeFolders,
    readBytes(path) {
      try { return fs.readFileSync(path); } catch { return undefined; }
    },
    fileSize(path) {
      try { const st = fs.statSync(path); return st.isFile() ? st.size : undefined; } catch { return undefined; }
    },
  };
}

let probedFolders: SystemIncludeFolders | undefined;

const isDirectory = (p: string): boolean => { try { return fs.statSync(p).isDirectory(); } catch { return false; } };

/**
 * The folders `clang -target bpf -E -v -x c /dev/null` lists on this machine: /usr/local/include, clang's
 * resource folder (`$(clang -print-resource-dir)/include`), /usr/include; each only when it exists. The
 * multiarch folders (/usr/include/x86_64-linux-gnu) are not searched for the bpf target; they are kept for the
 * "file not found" hint. Probed once per process.
 */
export function probeSystemIncludeFolders(): SystemIncludeFolders {
  if (probedFolders) return probedFolders;
  const searched: SystemIncludeFolders['searched'] = [];
  if (isDirectory('/usr/local/include')) searched.push({ path: '/usr/local/include', role: 'local' });
  const resource = clangResourceInclude();
  if (resource) searched.push({ path: resource, role: 'compiler' });
  if (isDirectory('/usr/include')) searched.push({ path: '/usr/include', role: 'usr' });
  let unsearched: string[] = [];
  try {
    unsearched = fs.readdirSync('/usr/include').filter((name) => /-linux-gnu|-linux-musl/.test(name)).map((name) => `/usr/include/${name}`).filter(isDirectory).sort();
  } catch { /* no /usr/include */ }
  probedFolders = { searched, unsearched };
  return probedFolders;
}

/** `$(clang -print-resource-dir)/include` when clang runs here, else the newest /usr/lib/llvm-N one that holds stddef.h. */
function clangResourceInclude(): string | undefined {
  const dir = clangResourceDir();
  if (dir && fs.existsSync(`${dir}/include/stddef.h`)) return `${dir}/include`;
  const candidates: string[] = [];
  const scan = (root: string): void => {
    try { for (const version of fs.readdirSync(root)) candidates.push(`${root}/${version}/include`); } catch { /* absent */ }
  };
  scan('/usr/lib/clang');
  try { for (const llvm of fs.readdirSync('/usr/lib')) if (/^llvm-\d+$/.test(llvm)) scan(`/usr/lib/${llvm}/lib/clang`); } catch { /* absent */ }
  const found = candidates.filter((c) => fs.existsSync(`${c}/stddef.h`));
  found.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return found[found.length - 1];
}

/**
 * `clang -print-resource-dir`. Starting clang costs ~200 ms of CPU per process, so the answer is kept in the disk
 * cache (diskCache.ts) under the clang binary PATH finds (its real path, mtime and size): a new clang asks again.
 */
export function clangResourceDir(): string | undefined {
  const binary = clangOnPath();
  if (!binary) return undefined;
  const folder = cacheFolder();
  const store = folder ? createDiskIndexStore(folder) : undefined;
  let key: string | undefined;
  try {
    const real = fs.realpathSync(binary);
    const st = fs.statSync(real);
    key = `clang-resource-dir-${createHash('sha256').update(`${real}\0${st.mtimeMs}\0${st.size}`).digest('hex').slice(0, 32)}`;
    const kept = store?.load(key);
    const dir = kept === undefined ? undefined : (JSON.parse(kept) as { dir?: unknown }).dir;
    if (typeof dir === 'string' && isDirectory(dir)) return dir;
  } catch { /* no cached answer */ }
  try {
    const dir = childProcess.execFileSync(binary, ['-print-resource-dir'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && key) store?.save(key, JSON.stringify({ dir }));
    return dir || undefined;
  } catch {
    return undefined; // clang does not run
  }
}

/** The `clang` execFileSync would start: the first PATH entry holding an executable file of that name. */
function clangOnPath(): string | undefined {
  const names = process.platform === 'win32' ? ['clang.exe', 'clang.cmd', 'clang'] : ['clang'];
  for (const folder of (process.env.PATH ?? '').split(nodePath.delimiter)) {
    if (!folder) continue;
    for (const name of names) {
      const candidate = nodePath.join(folder, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch { /* not here */ }
    }
  }
  return undefined;
}

/** Open documents shadow the disk. */
export class OverlayHost implements FileHost {
  private readonly overlays = new Map<string, { text: string; version: number }>();
  private counter = 0;
  constructor(private readonly base: FileHost) {}
  setOverlay(path: string, text: string): void { this.overlays.set(path, { text, version: ++this.counter }); }
  deleteOverlay(path: string): void { this.overlays.delete(path); }
  readFile(path: string): string | undefined { return this.overlays.get(path)?.text ?? this.base.readFile(path); }
  fileExists(path: string): boolean { return this.overlays.has(path) || this.base.fileExists(path); }
  stamp(path: string): string | undefined {
    const o = this.overlays.get(path);
    return o ? `overlay:${o.version}` : this.base.stamp(path);
  }
  systemIncludeFolders(): SystemIncludeFolders { return this.base.systemIncludeFolders?.() ?? { searched: [], unsearched: [] }; }
  readBytes(path: string): Uint8Array | undefined { return this.base.readBytes?.(path); }
  fileSize(path: string): number | undefined { return this.base.fileSize?.(path); }
}

/**
 * In-memory files (the run worker's open documents, tests, the embedded examples). The record may change
 * between calls; a file's stamp changes whenever its text does (a stamp of the length alone let the header
 * cache replay `#define N 4` after an edit to `#define N 8`).
 */
export function createMemoryHost(files: Record<string, string>, fallback?: FileHost): FileHost {
  const seen = new Map<string, { text: string; version: number }>();
  let versions = 0;
  return {
    ...(fallback?.systemIncludeFolders ? { systemIncludeFolders: () => fallback.systemIncludeFolders!() } : {}),
    ...(fallback?.readBytes ? { readBytes: (p: string) => fallback.readBytes!(p) } : {}),
    ...(fallback?.fileSize ? { fileSize: (p: string) => fallback.fileSize!(p) } : {}),
    readFile: (p) => (p in files ? files[p] : fallback?.readFile(p)),
    fileExists: (p) => p in files || (fallback?.fileExists(p) ?? false),
    stamp: (p) => {
      if (!(p in files)) {
        seen.delete(p);
        return fallback?.stamp(p);
      }
      const text = files[p];
      let entry = seen.get(p);
      if (!entry || entry.text !== text) {
        entry = { text, version: ++versions };
        seen.set(p, entry);
      }
      return `mem:${entry.version}`;
    },
  };
}

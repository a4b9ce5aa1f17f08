import * as fs from 'fs';
import * as childProcess from 'child_process';
import * as nodePath from 'path';
import type { SystemIncludeFolders } from '../lang/buildSetup';
import type { FileSystemHost } from '../lang/headers';
import { setLazyIndexStore } from '../lang/lazyHeader';
import { setBundledHeaderReader } from '../lang/headers';
import { cacheFolder, createDiskIndexStore, readTextFile } from './diskCache';
import { ReadAt, readAtBytes } from '../exec/scenarioBulkJson';

/**
 * What the front end may read: the front end's `FileSystemHost` (lang/headers.ts), every member required, and what
 * the service reads besides. The language server layers open documents over the disk, so a header being edited is
 * seen as typed; tests use an in-memory host.
 */
export interface FileHost extends FileSystemHost {
  readFile(path: string): string | undefined;
  fileExists(path: string): boolean;
  /** A cheap version (mtime + size, or a counter) that changes whenever the text does; validates cached headers. */
  version(path: string): string | undefined;
  /** The system folders clang -target bpf would search on this machine; none when absent (tests, in-memory hosts). */
  systemIncludeFolders?(): SystemIncludeFolders;
  /** A binary file's bytes (a scenario's entries_file), never decoded; undefined when it cannot be read. */
  readBytes?(path: string): Uint8Array | undefined;
  /** A file's size in bytes without reading it; undefined when it is not a readable file. */
  fileSize?(path: string): number | undefined;
  /** Reads a file a piece at a time: `use` gets a positioned reader and the size; undefined when it cannot be opened. */
  readFileAt?<T>(path: string, use: (read: ReadAt, size: number) => T): T | undefined;
  /** A folder's entries; undefined when it cannot be read (no such folder, or a host without folders). */
  listDirectory?(path: string): Array<{ name: string; directory: boolean }> | undefined;
}

/** Files larger than this are refused by the host, so a stray huge file cannot exhaust memory. */
export const MAX_SOURCE_FILE_BYTES = 64 * 1024 * 1024;

let diskCacheInstalled = false;

export function createNodeHost(): FileHost {
  // The real host keeps lazily indexed headers' indexes between processes (diskCache.ts); tests' in-memory hosts do not.
  if (!diskCacheInstalled) {
    diskCacheInstalled = true;
    const folder = cacheFolder();
    if (folder) {
      setLazyIndexStore(createDiskIndexStore(folder));
      setBundledHeaderReader(readTextFile);
    }
  }
  return {
    readFile(path) {
      try {
        const st = statIfExists(path);
        if (!st || !st.isFile() || st.size > MAX_SOURCE_FILE_BYTES) return undefined;
        return readTextFile(path, st.size);
      } catch {
        return undefined;
      }
    },
    fileExists(path) {
      try { return statIfExists(path)?.isFile() ?? false; } catch { return false; }
    },
    version(path) {
      try { const st = statIfExists(path); return st && `${st.mtimeMs}:${st.size}`; } catch { return undefined; }
    },
    systemIncludeFolders: probeSystemIncludeFolders,
    readBytes(path) {
      try { return fs.readFileSync(path); } catch { return undefined; }
    },
    fileSize(path) {
      try { const st = statIfExists(path); return st?.isFile() ? st.size : undefined; } catch { return undefined; }
    },
    listDirectory(path) {
      try { return fs.readdirSync(path, { withFileTypes: true }).map((entry) => ({ name: entry.name, directory: entry.isDirectory() })); } catch { return undefined; }
    },
    readFileAt(path, use) {
      let fd: number;
      try { fd = fs.openSync(path, 'r'); } catch { return undefined; }
      try {
        return use((into, offset, length, position) => fs.readSync(fd, into, offset, length, position), fs.fstatSync(fd).size);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/**
 * A file's stat, or undefined when there is none. Most probes at a keystroke miss (the build files looked up the
 * folders, a scenario beside the file, the include search path): a missing file answers without an exception,
 * whose error object and stack cost more than the stat itself.
 */
function statIfExists(path: string): fs.Stats | undefined {
  return fs.statSync(path, { throwIfNoEntry: false });
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

/**
 * `$(clang -print-resource-dir)/include` when clang runs here, else the newest /usr/lib/llvm-N one that holds stddef.h.
 * Clang's resource folder is `lib/clang/<version>` beside the folder of its real binary (clang's
 * Driver::GetResourcesPath()): when the clang on PATH has exactly one such folder it is read from the disk, without
 * starting clang (about 130 ms before the first diagnostics).
 */
function clangResourceInclude(): string | undefined {
  const beside = resourceIncludeBesideClangOnPath();
  if (beside) return beside;
  try {
    const dir = childProcess.execFileSync('clang', ['-print-resource-dir'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && fs.existsSync(`${dir}/include/stddef.h`)) return `${dir}/include`;
  } catch { /* no clang on PATH */ }
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

/** The only `lib/clang/<version>/include` with stddef.h beside the real binary of the `clang` on PATH, else undefined. */
function resourceIncludeBesideClangOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(nodePath.delimiter)) {
    if (!dir) continue;
    let binary: string;
    try {
      binary = fs.realpathSync(nodePath.join(dir, 'clang'));
      fs.accessSync(binary, fs.constants.X_OK);
    } catch { continue; }
    const root = nodePath.join(nodePath.dirname(nodePath.dirname(binary)), 'lib/clang');
    let versions: string[];
    try { versions = fs.readdirSync(root); } catch { return undefined; }
    const found = versions.map((version) => `${root}/${version}/include`).filter((include) => fs.existsSync(`${include}/stddef.h`));
    // Two versions side by side: only clang itself knows which is its own.
    return found.length === 1 ? found[0] : undefined;
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
  version(path: string): string | undefined {
    const o = this.overlays.get(path);
    return o ? `overlay:${o.version}` : this.base.version(path);
  }
  systemIncludeFolders(): SystemIncludeFolders { return this.base.systemIncludeFolders?.() ?? { searched: [], unsearched: [] }; }
  readBytes(path: string): Uint8Array | undefined {
    const o = this.overlays.get(path);
    return o ? Buffer.from(o.text, 'utf8') : this.base.readBytes?.(path);
  }
  fileSize(path: string): number | undefined {
    const o = this.overlays.get(path);
    return o ? Buffer.byteLength(o.text, 'utf8') : this.base.fileSize?.(path);
  }
  listDirectory(path: string): Array<{ name: string; directory: boolean }> | undefined { return this.base.listDirectory?.(path); }
  readFileAt<T>(path: string, use: (read: ReadAt, size: number) => T): T | undefined {
    const o = this.overlays.get(path);
    if (!o) return this.base.readFileAt?.(path, use);
    const bytes = Buffer.from(o.text, 'utf8');
    return use(readAtBytes(bytes), bytes.length);
  }
}

/**
 * In-memory files (the run worker's open documents, tests, the embedded examples). The record may change
 * between calls; a file's version changes whenever its text does (a version of the length alone let the header
 * cache replay `#define N 4` after an edit to `#define N 8`). The one in-memory host, for the front end's tests too.
 */
export function createMemoryHost(files: Record<string, string>, fallback?: FileHost): FileHost {
  const seen = new Map<string, { text: string; version: number }>();
  let versions = 0;
  return {
    ...(fallback?.systemIncludeFolders ? { systemIncludeFolders: () => fallback.systemIncludeFolders!() } : {}),
    ...(fallback?.readBytes ? { readBytes: (p: string) => (p in files ? Buffer.from(files[p], 'utf8') : fallback.readBytes!(p)) } : {}),
    ...(fallback?.fileSize ? { fileSize: (p: string) => (p in files ? Buffer.byteLength(files[p], 'utf8') : fallback.fileSize!(p)) } : {}),
    ...(fallback?.readFileAt ? {
      readFileAt: <T>(p: string, use: (read: ReadAt, size: number) => T): T | undefined => {
        if (!(p in files)) return fallback.readFileAt!(p, use);
        const bytes = Buffer.from(files[p], 'utf8');
        return use(readAtBytes(bytes), bytes.length);
      },
    } : {}),
    readFile: (p) => (p in files ? files[p] : fallback?.readFile(p)),
    listDirectory: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const entries = new Map<string, boolean>();
      for (const p of Object.keys(files)) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        const slash = rest.indexOf('/');
        entries.set(slash < 0 ? rest : rest.slice(0, slash), slash >= 0);
      }
      for (const entry of fallback?.listDirectory?.(dir) ?? []) if (!entries.has(entry.name)) entries.set(entry.name, entry.directory);
      return entries.size || fallback?.listDirectory?.(dir) ? [...entries].map(([name, directory]) => ({ name, directory })) : undefined;
    },
    fileExists: (p) => p in files || (fallback?.fileExists(p) ?? false),
    version: (p) => {
      if (!(p in files)) {
        seen.delete(p);
        return fallback?.version(p);
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

/**
 * The on-disk cache of lazily indexed headers (lang/lazyHeader.ts): the index of the real vmlinux.h takes most of
 * a cold start to build and is the same for every start with the same header, so it is kept in the OS cache folder
 * keyed by the header's content hash (and the index format version). The next start reads it instead of building
 * it. A damaged, truncated or foreign file is ignored and rewritten; nothing here is required to work.
 *
 * Folder: `$BPF_ITER_CACHE_DIR` (`off` disables the cache), else `$XDG_CACHE_HOME/bpf-iter-lab`, else the OS's
 * cache folder (`~/.cache`, `~/Library/Caches`, `%LOCALAPPDATA%`).
 */
import { isAscii } from 'buffer';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LazyIndexStore } from '../lang/lazyHeader';

export function cacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = safeHome()): string | undefined {
  const chosen = env.BPF_ITER_CACHE_DIR;
  if (chosen !== undefined && chosen !== '') return chosen === 'off' ? undefined : chosen;
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'bpf-iter-lab');
  if (!home) return undefined;
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'bpf-iter-lab');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'bpf-iter-lab', 'Cache');
  return path.join(home, '.cache', 'bpf-iter-lab');
}

function safeHome(): string {
  try { return os.homedir(); } catch { return ''; }
}

/** Files `<key>.bin` in `folder`, written whole (a temporary file renamed), so a reader never sees half of one. */
export function createDiskIndexStore(folder: string): LazyIndexStore {
  const fileOf = (key: string) => path.join(folder, `${key.replace(/[^\w.-]/g, '_')}.bin`);
  return {
    load(key) {
      try { return fs.readFileSync(fileOf(key)); } catch { return undefined; }
    },
    save(key, data) {
      const file = fileOf(key);
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        fs.mkdirSync(folder, { recursive: true });
        fs.writeFileSync(temporary, data);
        fs.renameSync(temporary, file);
      } catch {
        try { fs.rmSync(temporary, { force: true }); } catch { /* read-only folder: no cache */ }
      }
    },
    contentHash: (text) => knownHashes.get(text),
  };
}

/** Files at least this big are hashed as they are read (lang/lazyHeader.ts indexes none smaller). */
export const HASHED_FILE_BYTES = 256 * 1024;
const knownHashes = new Map<string, string>();

/**
 * The text of a file read by the node host. For a big ASCII file (vmlinux.h: 2.8 MB) the SHA-256 of its bytes, which
 * are its text's UTF-8 bytes, is kept for the index store's `contentHash`: hashing the string would encode it again.
 * (Decoded as UTF-8 into V8's heap: a Latin-1 decode is an external string, and the first edits after an open ran
 * ~4 ms slower each with one.) A file known to be smaller (`size`) is read as before, UTF-8 straight from the file.
 */
export function readTextFile(file: string, size?: number): string {
  if (size !== undefined && size < HASHED_FILE_BYTES) return fs.readFileSync(file, 'utf8');
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('utf8');
  if (bytes.length < HASHED_FILE_BYTES || !isAscii(bytes)) return text;
  if (knownHashes.size >= 4) knownHashes.delete(knownHashes.keys().next().value as string);
  knownHashes.set(text, createHash('sha256').update(bytes).digest('hex'));
  return text;
}

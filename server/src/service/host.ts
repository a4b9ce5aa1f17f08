import * as fs from 'fs';

/**
 * What the front end may read. The language server layers open documents over the disk, so a header
 * being edited is seen as typed; tests use an in-memory host.
 */
export interface FileHost {
  readFile(path: string): string | undefined;
  fileExists(path: string): boolean;
  /** A cheap change stamp (mtime + size, or a version counter) used to validate cached headers. */
  stamp(path: string): string | undefined;
}

/** Files larger than this are refused by the host, so a stray huge file cannot exhaust memory. */
export const MAX_SOURCE_FILE_BYTES = 64 * 1024 * 1024;

export function createNodeHost(): FileHost {
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
  };
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

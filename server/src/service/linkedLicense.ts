/**
 * The license of the object a file is linked into, when the file declares none. Projects that build one object from
 * several compilation units with `bpftool gen object` (BPF static linking; Falco's modern probe links its 170
 * units so) declare `SEC("license")` once, in a unit of its own (`license/license.bpf.c`): each other unit compiles
 * without it, and the linked object, which has the one "license" section (bpf_linker keeps it), loads with it. A
 * file without a license whose project holds a license unit, a C file that declares a license and no program (it has
 * no use but to be linked), is taken to be linked with it: its GPL-only helpers are then allowed, and "no
 * SEC("license")" (BPF1395) is not said of it. A folder of programs each with its own license says nothing of a file
 * that forgot it. The project is the folder of the build file clangd would read (a `build/` folder's parent), else
 * the file's own folder.
 */
import * as path from 'path';
import type { FileHost } from './host';

export interface LinkedLicense {
  /** The license string, as libbpf reads it from the linked object. */
  license: string;
  /** The file that declares it. */
  path: string;
}

/** How far the project is searched: folders deep, entries seen, C files read. */
const LIMITS = { depth: 6, entries: 4000, files: 400 };
/** Folders that hold no sources of the project. */
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules', '.output', '.cache']);
/** A program's section (anything but the license, maps and global data): a unit holding one is no license unit. */
const PROGRAM_SECTION = /\bSEC\s*\(\s*"(?!license"|\.maps"|\.data|\.rodata|\.bss|\.kconfig|\.ksyms)/;
/** `SEC("license") = "GPL"` or its expansion; the string is what the object's license section holds. */
const LICENSE_DECLARATION = /(?:\bSEC\s*\(\s*"license"\s*\)|section\s*\(\s*"license"\s*\))[^;=]*=\s*"([^"\\]*)"/;

/** Results by project folder: a found license stays while its file is unchanged; none is looked for again after a while. */
const cache = new Map<string, { host: FileHost; found?: LinkedLicense & { version?: string }; checkedAt: number }>();
const RECHECK_NONE_MS = 2000;

/** The project folder of a file: the build file's folder (its parent for `build/compile_commands.json`), else the file's. */
export function projectFolder(filePath: string, buildFile: string | undefined): string {
  if (!buildFile) return path.dirname(filePath);
  const folder = path.dirname(buildFile);
  return path.basename(folder) === 'build' ? path.dirname(folder) : folder;
}

/** The license a license unit of the project declares (the nearest to the file first), or undefined. */
export function linkedLicense(filePath: string, project: string, host: FileHost, now: number = Date.now()): LinkedLicense | undefined {
  if (!host.listDirectory) return undefined;
  const key = `${project}\0${filePath}`;
  const known = cache.get(key);
  if (known && known.host === host) {
    if (known.found && host.version(known.found.path) === known.found.version) return { license: known.found.license, path: known.found.path };
    if (!known.found && now - known.checkedAt < RECHECK_NONE_MS) return undefined;
  }
  const found = search(filePath, project, host);
  cache.set(key, { host, checkedAt: now, ...(found ? { found: { ...found, version: host.version(found.path) } } : {}) });
  if (cache.size > 64) cache.delete(cache.keys().next().value as string);
  return found;
}

function search(filePath: string, project: string, host: FileHost): LinkedLicense | undefined {
  let files = LIMITS.files;
  for (const file of projectSources(filePath, project, host)) {
    if (--files < 0) break;
    const text = host.readFile(file);
    const match = text?.includes('license') ? LICENSE_DECLARATION.exec(text) : null;
    if (match && !PROGRAM_SECTION.test(text!)) return { license: match[1], path: file };
  }
  return undefined;
}

/** The project's other C files (and headers with `headers`), the nearest to `filePath` first (at most LIMITS.entries folder entries seen). */
function projectSources(filePath: string, project: string, host: FileHost, headers = false): string[] {
  const budget = { entries: LIMITS.entries };
  const candidates: Array<{ file: string; distance: number }> = [];
  const visit = (folder: string, depth: number): void => {
    const entries = host.listDirectory!(folder);
    if (!entries) return;
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (--budget.entries < 0) return;
      const full = path.join(folder, entry.name);
      if (entry.directory) {
        if (depth < LIMITS.depth && !SKIPPED_FOLDERS.has(entry.name)) visit(full, depth + 1);
      } else if ((entry.name.endsWith('.c') || (headers && entry.name.endsWith('.h'))) && full !== filePath) {
        candidates.push({ file: full, distance: path.relative(path.dirname(filePath), full).split(path.sep).length });
      }
    }
  };
  visit(project, 0);
  candidates.sort((a, b) => a.distance - b.distance || (a.file < b.file ? -1 : 1));
  return candidates.map((c) => c.file);
}

/**
 * Extern functions another unit of the project defines. With `bpftool gen object` (libbpf's bpf_linker) a unit calls
 * the global functions of the others through plain `extern` declarations (sched-ext's schedulers link their
 * `lib/*.bpf.c` and split one scheduler over several files so): the linker resolves each against the unit that defines
 * it, and the linked object has no extern left. A BPF C file of the project (a `.bpf.c`, or one with a SEC() or
 * libbpf's bpf_helpers.h) that defines a non-static function of the name is taken to be linked with this one; so is a
 * header of the project that defines it (in a macro a unit expands, as sched-ext's `lib/cgroup.h` defines the
 * callbacks its library calls). Returns the defining file of each name found, relative to the project folder.
 */
export function linkedFunctions(filePath: string, project: string, host: FileHost, names: ReadonlySet<string>, now: number = Date.now()): Record<string, string> {
  if (!host.listDirectory || names.size === 0) return {};
  const key = `${project}\0${filePath}\0${[...names].sort().join(',')}`;
  const known = functionsCache.get(key);
  if (known && known.host === host && now - known.checkedAt < RECHECK_NONE_MS) return known.found;
  const found: Record<string, string> = {};
  let files = LIMITS.files;
  let missing = names.size;
  for (const file of projectSources(filePath, project, host, true)) {
    if (missing === 0 || --files < 0) break;
    const text = host.readFile(file);
    if (text === undefined || !(/\.bpf\.[ch]$/.test(file) || /\bSEC\s*\(|bpf_helpers\.h|__hidden|__weak/.test(text))) continue;
    for (const name of names) {
      if (found[name] === undefined && text.includes(name) && definesGlobalFunction(text, name)) { found[name] = path.relative(project, file); missing--; }
    }
  }
  functionsCache.set(key, { host, checkedAt: now, found });
  if (functionsCache.size > 64) functionsCache.delete(functionsCache.keys().next().value as string);
  return found;
}

const functionsCache = new Map<string, { host: FileHost; checkedAt: number; found: Record<string, string> }>();

/**
 * Whether C text defines `name` as a function that is not static: `name(...)`, then attributes, then `{`, the
 * declaration (from the previous `;`, `{` or `}`, comments and directive lines left out) not saying `static`. A textual reading,
 * comments and conditional groups included; the linker's verdict is the kernel's, this is only which unit it would
 * read.
 */
export function definesGlobalFunction(text: string, name: string): boolean {
  const call = new RegExp(`(?<![\\w.>])${name.replace(/[$]/g, '\\$')}\\s*\\(`, 'g');
  for (let m = call.exec(text); m; m = call.exec(text)) {
    let i = m.index + m[0].length;
    for (let depth = 1; i < text.length && depth > 0; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
    }
    // attributes after the parameters: `__attribute__((...))` or macro words (`__weak`, `__hidden`)
    const after = /^(?:\s|\\\n|__attribute__\s*\(\([^)]*\)\)|[A-Za-z_]\w*)*/.exec(text.slice(i, i + 400))![0];
    if (text[i + after.length] !== '{') continue;
    const head = text.slice(Math.max(text.lastIndexOf(';', m.index), text.lastIndexOf('{', m.index), text.lastIndexOf('}', m.index)) + 1, m.index);
    const lines = head.replace(/\/\*[^]*?\*\/|\/\/[^\n]*/g, ' ').split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
    if (/\bstatic\b/.test(lines) || !/\w/.test(lines)) continue;
    return true;
  }
  return false;
}

/**
 * Include resolution and compile flags. Headers are found in the user's include paths first, then in the
 * paths from `compile_flags.txt` / `compile_commands.json` (read as clangd reads them), then in the headers
 * bundled under `server/headers/` (the whole Linux 6.18 vmlinux.h and libbpf's BPF-side headers), which appear to the
 * rest of the front end under the virtual directory `<bundled>`.
 */

import * as fs from 'fs';
import * as path from 'path';
import { applyClangdEdits, clangdFragmentsFor } from './clangdConfig';

/** Where the preprocessor reads files; the language server overlays open documents on the disk. */
export interface FileSystemHost {
  readFile(filePath: string): string | undefined;
  /** Optional cheap existence check; defaults to `readFile(p) !== undefined`. */
  fileExists?(filePath: string): boolean;
  /** A version stamp (mtime, document version) that changes whenever the text does; enables caching. */
  version?(filePath: string): string | undefined;
}

export const bundledDirectory = '<bundled>';

/** Reads real files from disk. */
export const nodeFileSystemHost: FileSystemHost = {
  readFile(filePath: string): string | undefined {
    try {
      return fs.readFileSync(filePath, 'utf8');
    } catch {
      return undefined;
    }
  },
  fileExists(filePath: string): boolean {
    try {
      return fs.statSync(filePath).isFile();
    } catch {
      return false;
    }
  },
  version(filePath: string): string | undefined {
    try {
      const stat = fs.statSync(filePath);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return undefined;
    }
  },
};

export function hostFileExists(host: FileSystemHost, filePath: string): boolean {
  return host.fileExists ? host.fileExists(filePath) : host.readFile(filePath) !== undefined;
}

let bundledRoot: string | null | undefined;

/**
 * The directory holding the bundled headers. Found by walking up from this module so it works from
 * `out/server/src/lang/` (tests), `dist/` (bundled server) and `server/src/lang/` (ts-node) alike.
 */
export function bundledHeadersRoot(): string | undefined {
  if (bundledRoot !== undefined) return bundledRoot ?? undefined;
  let directory = __dirname;
  for (let step = 0; step < 8; step++) {
    const candidate = path.join(directory, 'server', 'headers');
    if (fs.existsSync(path.join(candidate, 'bpf', 'bpf_helpers.h'))) {
      bundledRoot = candidate;
      return candidate;
    }
    const parent = path.dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  bundledRoot = null;
  return undefined;
}

const bundledTextCache = new Map<string, string | undefined>();

let bundledFileReader: ((file: string) => string) | undefined;
/**
 * How the bundled headers' files are read (the service's node host keeps the hash of a big ASCII header's bytes for
 * the index store, service/diskCache.ts `readTextFile`); unset: UTF-8 through fs.
 */
export function setBundledHeaderReader(read: ((file: string) => string) | undefined): void { bundledFileReader = read; }

/** Text of a bundled header given its virtual path `<bundled>/bpf/bpf_helpers.h`, or undefined. */
export function readBundledHeader(virtualPath: string): string | undefined {
  if (!isBundledPath(virtualPath)) return undefined;
  if (bundledTextCache.has(virtualPath)) return bundledTextCache.get(virtualPath);
  const file = bundledHeaderFilePath(virtualPath);
  let text: string | undefined;
  if (file !== undefined) {
    try {
      text = bundledFileReader ? bundledFileReader(file) : fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
  }
  bundledTextCache.set(virtualPath, text);
  return text;
}

/** The file on disk behind a bundled header's virtual path (also for go to definition), or undefined. */
export function bundledHeaderFilePath(virtualPath: string): string | undefined {
  if (!virtualPath.startsWith(bundledDirectory + '/')) return undefined;
  const relative = virtualPath.slice(bundledDirectory.length + 1);
  const root = bundledHeadersRoot();
  if (root === undefined || relative.split('/').some((part) => part === '..' || part === '')) return undefined;
  return path.join(root, ...relative.split('/'));
}

export function isBundledPath(filePath: string): boolean {
  return filePath.startsWith(bundledDirectory + '/');
}

/** Joins an include name to a directory, keeping the virtual bundled directory in POSIX form. */
export function joinIncludePath(directory: string, name: string): string {
  if (isBundledPath(directory) || directory === bundledDirectory) {
    const parts = (directory + '/' + name).split('/');
    const normalized: string[] = [];
    for (const part of parts) {
      if (part === '.' || part === '') continue;
      if (part === '..') {
        if (normalized.length > 1) normalized.pop();
        continue;
      }
      normalized.push(part);
    }
    return normalized.join('/');
  }
  if (path.isAbsolute(name)) return path.normalize(name);
  return path.join(directory, name);
}

export function directoryOf(filePath: string): string {
  if (isBundledPath(filePath)) return filePath.slice(0, filePath.lastIndexOf('/'));
  return path.dirname(filePath);
}

/** The options a compile command contributes, in the vocabulary of PreprocessOptions. */
export interface CompileFlags {
  /** `-iquote`: searched only by `#include "..."`, after the including file's folder. */
  quoteIncludePaths: string[];
  /** `-I`. */
  includePaths: string[];
  /** `-isystem`. */
  systemIncludePaths: string[];
  /** `-idirafter`: searched after the system folders (libbpf-bootstrap passes the host's system folders so). */
  afterIncludePaths: string[];
  defines: Record<string, string>;
  undefines: string[];
  forcedIncludes: string[];
  /** Each `-include` as spelled, beside forcedIncludes: clang searches the "..." chain for it when the working directory has none. */
  forcedIncludeNames?: string[];
  target?: string;
  /** `-std=`, e.g. `gnu11`. */
  std?: string;
  /** `-mcpu=`, the BPF CPU version (`v3`): what the backend compiles (atomics.ts clangRejectsAtomic). */
  mcpu?: string;
  /** The file the flags came from: the build file, else the nearest `.clangd` that edits the command. */
  source?: string;
  /** The `.clangd` files whose CompileFlags edited the command, outermost first. */
  clangdConfigs?: string[];
  /** A search folder that only a `.clangd` added, by folder: that file (the others come from `source`). */
  folderSources?: Record<string, string>;
}

/** Flags that take a folder, with their spellings: `-I dir`, `-Idir`, `--include-directory=dir`. */
const DIRECTORY_FLAGS: ReadonlyArray<[string, 'quoteIncludePaths' | 'includePaths' | 'systemIncludePaths' | 'afterIncludePaths', string?]> = [
  ['-iquote', 'quoteIncludePaths'],
  ['-isystem', 'systemIncludePaths'],
  ['-idirafter', 'afterIncludePaths', '--include-directory-after='],
  ['-I', 'includePaths', '--include-directory='],
];

/**
 * Parses clang arguments the way clangd reads them for the preprocessor: `-I dir`/`-Idir`, `-iquote`,
 * `-isystem`, `-idirafter`, `-D NAME[=value]`, `-U NAME`, `-include file`, `--target=`/`-target`, `-std=`, and `-mcpu=`
 * (for the backend's limits). Relative paths are resolved against `directory` (the command's working directory). Other flags are ignored.
 */
export function parseCompileArguments(args: readonly string[], directory: string): CompileFlags {
  const flags: CompileFlags = {
    quoteIncludePaths: [], includePaths: [], systemIncludePaths: [], afterIncludePaths: [], defines: {}, undefines: [], forcedIncludes: [],
  };
  const resolve = (p: string): string => (path.isAbsolute(p) ? path.normalize(p) : path.join(directory, p));
  /** The value of a flag spelled `-Xvalue`, `-X value` or `--long=value`; undefined when `arg` is not that flag. */
  const valueOf = (i: number, short: string, long?: string): { value: string | undefined; consumed: number } | undefined => {
    const arg = args[i];
    if (arg === short) return { value: args[i + 1], consumed: 1 };
    if (arg.startsWith(short)) return { value: arg.slice(short.length), consumed: 0 };
    if (long && arg.startsWith(long)) return { value: arg.slice(long.length), consumed: 0 };
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let matched = false;
    for (const [short, list, long] of DIRECTORY_FLAGS) {
      const found = valueOf(i, short, long);
      if (!found) continue;
      i += found.consumed;
      if (found.value !== undefined && found.value !== '') flags[list].push(resolve(found.value));
      matched = true;
      break;
    }
    if (matched) continue;
    if (arg === '-include' || arg.startsWith('--include=')) {
      const value = arg === '-include' ? args[++i] : arg.slice('--include='.length);
      if (value !== undefined) {
        flags.forcedIncludes.push(resolve(value));
        (flags.forcedIncludeNames ??= []).push(value);
      }
    } else if (arg === '-D' || (arg.startsWith('-D') && arg.length > 2)) {
      const value = arg === '-D' ? args[++i] : arg.slice(2);
      if (value === undefined) continue;
      const equals = value.indexOf('=');
      if (equals < 0) flags.defines[value] = '1';
      else flags.defines[value.slice(0, equals)] = value.slice(equals + 1);
    } else if (arg === '-U' || (arg.startsWith('-U') && arg.length > 2)) {
      const value = arg === '-U' ? args[++i] : arg.slice(2);
      if (value !== undefined) flags.undefines.push(value);
    } else if (arg === '-target' || arg === '--target') {
      flags.target = args[++i];
    } else if (arg.startsWith('--target=')) {
      flags.target = arg.slice('--target='.length);
    } else if (arg.startsWith('-std=') || arg.startsWith('--std=')) {
      flags.std = arg.slice(arg.indexOf('=') + 1);
    } else if (arg.startsWith('-mcpu=')) {
      flags.mcpu = arg.slice('-mcpu='.length);
    }
  }
  return flags;
}

/** Splits a command line the way a shell would for the simple quoting compile_commands.json uses. */
export function splitCommandLine(command: string): string[] {
  const args: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)/g;
  let current = '';
  let lastEnd = -1;
  for (let match = pattern.exec(command); match !== null; match = pattern.exec(command)) {
    const piece = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1')
      : match[2] !== undefined ? match[2] : match[3].replace(/\\(.)/g, '$1');
    if (match.index === lastEnd) current += piece;
    else {
      if (lastEnd >= 0) args.push(current);
      current = piece;
    }
    lastEnd = match.index + match[0].length;
  }
  if (lastEnd >= 0) args.push(current);
  return args;
}

/**
 * The build files looked for in each folder, in clangd's order (DirectoryBasedGlobalCompilationDatabase):
 * `compile_commands.json`, `build/compile_commands.json`, then `compile_flags.txt`.
 */
export const BUILD_SETUP_FILES: readonly string[] = ['compile_commands.json', path.join('build', 'compile_commands.json'), 'compile_flags.txt'];

/**
 * Finds the compile flags for `filePath` as clangd does: walking up from the file's folder, the first folder
 * holding one of BUILD_SETUP_FILES wins; from `compile_commands.json` the entry for the file, else the entry
 * whose file is nearest to it; from `compile_flags.txt` one argument per line, relative paths against the
 * folder holding it. A `compile_commands.json` that is not a JSON array of entries is skipped. Then the `.clangd`
 * files of the file's folder and its ancestors edit that command (clangdConfig.ts), or, with no build file, the
 * fallback command clangd runs in the file's folder: their `CompileFlags.CompilationDatabase` can name the folder
 * to take the build file from, or none.
 */
export function findCompileFlags(filePath: string, host: FileSystemHost): CompileFlags | undefined {
  const fragments = clangdFragmentsFor(filePath, host);
  const database = fragments.reduce<string | undefined>((chosen, f) => f.compilationDatabase ?? chosen, undefined);
  const command = database === 'None' ? undefined
    : database !== undefined && database !== 'Ancestors' ? compileCommandIn(database, filePath, host)
    : findCompileCommand(filePath, host);
  const edits = fragments.filter((f) => f.add.length > 0 || f.remove.length > 0);
  if (edits.length === 0) return command ? { ...parseCompileArguments(command.args, command.directory), source: command.source } : undefined;
  // clangd's fallback command runs in the file's folder: what .clangd adds is relative to it there
  const directory = command?.directory ?? path.dirname(path.resolve(filePath));
  const flags = parseCompileArguments(applyClangdEdits(command?.args ?? [], edits), directory);
  // a folder only a .clangd added is said to come from it (hover, the "file not found" hint)
  const fromCommand = command ? parseCompileArguments(command.args, directory) : undefined;
  const folderSources: Record<string, string> = {};
  for (const fragment of edits) {
    const added = parseCompileArguments(fragment.add, directory);
    for (const list of ['quoteIncludePaths', 'includePaths', 'systemIncludePaths', 'afterIncludePaths'] as const) {
      for (const folder of added[list]) if (!fromCommand?.[list].includes(folder)) folderSources[folder] = fragment.file;
    }
  }
  return {
    ...flags, source: command?.source ?? edits[edits.length - 1].file, clangdConfigs: edits.map((f) => f.file),
    ...(Object.keys(folderSources).length > 0 ? { folderSources } : {}),
  };
}

/** A build file's command for a file: its arguments (without the compiler), the folder they are relative to, the file. */
interface CompileCommand { args: string[]; directory: string; source: string }

/** The command of the nearest build file walking up from the file's folder (clangd's "Ancestors"). */
function findCompileCommand(filePath: string, host: FileSystemHost): CompileCommand | undefined {
  let directory = path.dirname(filePath);
  for (let step = 0; step < 64; step++) {
    const command = compileCommandIn(directory, filePath, host);
    if (command) return command;
    const parent = path.dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}

/** The command the build files of one folder give a file, in clangd's order of BUILD_SETUP_FILES. */
function compileCommandIn(directory: string, filePath: string, host: FileSystemHost): CompileCommand | undefined {
  for (const name of BUILD_SETUP_FILES) {
    const candidate = path.join(directory, name);
    const text = host.readFile(candidate);
    if (text === undefined) continue;
    if (name.endsWith('.json')) {
      const command = commandFromCompileCommands(text, filePath, path.dirname(candidate), (p) => host.readFile(p));
      if (command) return { ...command, source: candidate };
      continue;
    }
    const args = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
    return { args, directory, source: candidate };
  }
  return undefined;
}

function commandFromCompileCommands(text: string, filePath: string, directory: string, readFile: (filePath: string) => string | undefined): Omit<CompileCommand, 'source'> | undefined {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  type Entry = { directory?: string; file?: string; command?: string; arguments?: string[] };
  const list = entries as Entry[];
  // An entry's `directory` may itself be relative (to the folder holding compile_commands.json).
  const baseOf = (entry: Entry): string => (typeof entry.directory === 'string' ? path.resolve(directory, entry.directory) : directory);
  const matches = (entry: Entry): boolean =>
    typeof entry === 'object' && entry !== null && typeof entry.file === 'string' && path.resolve(baseOf(entry), entry.file) === path.resolve(filePath);
  // No entry for the file (a new file, a header): the entry whose file shares the longest path with it, as
  // clangd's interpolation picks a neighbour's command.
  const entry = list.find(matches) ?? nearestEntry(list, filePath, directory);
  if (typeof entry !== 'object' || entry === null) return undefined;
  const args = Array.isArray(entry.arguments) ? entry.arguments.filter((a): a is string => typeof a === 'string')
    : typeof entry.command === 'string' ? splitCommandLine(entry.command) : [];
  return { args: expandResponseFiles(args.slice(1), baseOf(entry), readFile), directory: baseOf(entry) };
}

/** Response files inside response files, at most this deep (a file naming itself stops there). */
const MAX_RESPONSE_FILE_DEPTH = 8;

/**
 * A compile command's `@file` arguments replaced by the file's arguments, as clang's tooling does when it loads
 * compile_commands.json (ExpandResponseFilesCompilationDatabase; CMake writes `@CMakeFiles/<target>.dir/includes_C.rsp`
 * for long include lists): the file is split as a shell would, and its name, like the name of one named inside it,
 * is relative to the command's directory (RelativeNames off), where the flags inside are resolved too. An `@file`
 * that cannot be read stays an argument, as clang leaves it.
 */
function expandResponseFiles(args: readonly string[], directory: string, readFile: (filePath: string) => string | undefined, depth = 0): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const text = arg.length > 1 && arg.startsWith('@') && depth < MAX_RESPONSE_FILE_DEPTH ? readFile(path.resolve(directory, arg.slice(1))) : undefined;
    if (text === undefined) out.push(arg);
    else out.push(...expandResponseFiles(splitCommandLine(text), directory, readFile, depth + 1));
  }
  return out;
}

/** Directory segments of a path clang's interpolation looks at, and the length a segment must pass to count. */
const INDEXED_DIRECTORY_SEGMENTS = 4;
const SHORT_DIRECTORY_SEGMENT = 1;

/**
 * The entry whose command a file without one borrows, chosen as clang's InterpolatingCompilationDatabase (which
 * clangd uses) chooses: an entry of the same language family (C or C++) first, then the most points: one if the
 * file's stem (`name.bpf` of `name.bpf.c`) starts the entry's stem and one more if it is the whole of it, one for each
 * of the file's last four directory names (longer than one character) among the entry's last four, one if the entry's
 * path starts with the file's path above those; then the longest common prefix of the two paths, character by
 * character; then the first path in sorted order. With no points at all, the longest common prefix.
 */
function nearestEntry<T extends { directory?: string; file?: string }>(entries: T[], filePath: string, directory: string): T | undefined {
  const candidates = entries
    .filter((entry) => typeof entry === 'object' && entry !== null && typeof entry.file === 'string')
    .map((entry) => ({ entry, path: path.resolve(typeof entry.directory === 'string' ? path.resolve(directory, entry.directory) : directory, entry.file!) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (candidates.length === 0) return entries.find((entry) => typeof entry === 'object' && entry !== null);
  const query = path.resolve(filePath);
  const stem = (p: string): string => path.basename(p, path.extname(p));
  /** The last INDEXED_DIRECTORY_SEGMENTS directory names, the short ones left out, and the path above the last one read. */
  const segments = (p: string): { names: string[]; above?: string } => {
    const parts = path.dirname(p).split(path.sep).filter((part) => part.length > 0);
    const read = parts.slice(Math.max(0, parts.length - INDEXED_DIRECTORY_SEGMENTS));
    const names = read.filter((name) => name.length > SHORT_DIRECTORY_SEGMENT);
    // a path deeper than the segments read: the part above them, which an entry's path may start with
    const above = parts.length > INDEXED_DIRECTORY_SEGMENTS ? path.sep + parts.slice(0, parts.length - INDEXED_DIRECTORY_SEGMENTS + 1).join(path.sep) : undefined;
    return { names, above };
  };
  const isCpp = (p: string): boolean => /\.(cc|cpp|cxx|c\+\+|C|hh|hpp|hxx|h\+\+|H)$/.test(p);
  const commonPrefix = (a: string, b: string): number => {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  const queryStem = stem(query);
  const { names: queryNames, above } = segments(query);
  let best: { index: number; preferred: boolean; points: number; prefix: number } | undefined;
  candidates.forEach((candidate, index) => {
    const candidateStem = stem(candidate.path);
    const candidateNames = segments(candidate.path).names;
    let points = 0;
    if (candidateStem.startsWith(queryStem)) points++;
    if (candidateStem === queryStem) points++;
    for (const name of queryNames) if (candidateNames.includes(name)) points++;
    if (above !== undefined && candidate.path.startsWith(above)) points++;
    if (points === 0) return;
    const scored = { index, preferred: isCpp(candidate.path) === isCpp(query), points, prefix: commonPrefix(query, candidate.path) };
    const better = !best || (scored.preferred !== best.preferred ? scored.preferred
      : scored.points !== best.points ? scored.points > best.points : scored.prefix > best.prefix);
    if (better) best = scored;
  });
  if (best) return candidates[best.index].entry;
  let longest = 0;
  candidates.forEach((candidate, index) => { if (commonPrefix(query, candidate.path) > commonPrefix(query, candidates[longest].path)) longest = index; });
  return candidates[longest].entry;
}

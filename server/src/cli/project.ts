/**
 * Which files `bpf-iter check` checks when it is given a folder (or nothing: the current folder), as
 * `clang-tidy -p` and `run-clang-tidy` take the files of a compilation database:
 *
 *  1. the nearest `compile_commands.json` (in the folder, its `build/`, or a folder above; `-p BUILD_DIR` names
 *     the folder holding it): every entry that compiles for BPF (`-target bpf`, `--target=bpf`, `bpfel`, `bpfeb`);
 *     from a database above the folder, only the entries below it;
 *  2. else (no database, or none of its entries compiles for BPF) every BPF program source below the folder, as the
 *     language server tells them (service/bpfSources.ts: `*.bpf.c`, a `.c` with a BPF section, a `.c` whose
 *     `compile_flags.txt` or `.clangd` has `--target=bpf`), skipping `.git`, `node_modules`, hidden folders and
 *     build outputs; each file's compile_flags.txt and .clangd apply as usual (lang/buildSetup.ts reads them per file).
 *
 * Files come back sorted, so the report's order never depends on the file system or on which worker ran first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseCompileArguments, splitCommandLine, FileSystemHost } from '../lang/headers';
import { isBpfSource, isBpfTarget } from '../service/bpfSources';

export interface ProjectFiles {
  /** The folder checked: SARIF URIs are relative to it. */
  root: string;
  files: string[];
  /** Where the list came from: the database read, or 'glob' for the *.bpf.c walk. */
  source: string;
}

export class ProjectError extends Error {}

/** Folders no source is looked for in: version control, dependencies, the usual build outputs. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'build', 'out', 'dist', 'target', 'CMakeFiles', '_build']);

export function projectFiles(folder: string, buildDir?: string): ProjectFiles {
  const root = path.resolve(folder);
  if (!isDirectory(root)) throw new ProjectError(`${folder} is not a folder`);
  let database: string | undefined;
  if (buildDir !== undefined) {
    database = path.join(path.resolve(buildDir), 'compile_commands.json');
    if (!fs.existsSync(database)) throw new ProjectError(`-p ${buildDir}: no compile_commands.json there`);
  } else {
    database = findDatabase(root);
  }
  if (database) {
    const dbFolder = path.dirname(database);
    const fromBelow = buildDir !== undefined || dbFolder === root || dbFolder === path.join(root, 'build') || isInside(root, dbFolder);
    const entries = bpfEntries(database).filter((f) => fromBelow || isInside(f, root));
    if (entries.length > 0) return { root, files: [...new Set(entries)].sort(), source: database };
    if (buildDir !== undefined) throw new ProjectError(`${database}: no entry compiles for BPF (-target bpf)`);
  }
  return { root, files: walkBpfSources(root).sort(), source: 'glob' };
}

function isDirectory(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** compile_commands.json in the folder, its build/, or the nearest folder above holding one. */
function findDatabase(root: string): string | undefined {
  let dir = root;
  for (let step = 0; step < 64; step++) {
    for (const name of ['compile_commands.json', path.join('build', 'compile_commands.json')]) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The files of the database's entries whose command compiles for BPF, as absolute paths. */
function bpfEntries(database: string): string[] {
  let entries: unknown;
  try {
    entries = JSON.parse(fs.readFileSync(database, 'utf8'));
  } catch (e) {
    throw new ProjectError(`${database}: not a readable JSON compilation database (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(entries)) throw new ProjectError(`${database}: not a JSON array of compile commands`);
  const base = path.dirname(database);
  const files: string[] = [];
  for (const entry of entries as Array<{ directory?: unknown; file?: unknown; command?: unknown; arguments?: unknown }>) {
    if (typeof entry !== 'object' || entry === null || typeof entry.file !== 'string') continue;
    const directory = typeof entry.directory === 'string' ? path.resolve(base, entry.directory) : base;
    const args = Array.isArray(entry.arguments) ? entry.arguments.filter((a): a is string => typeof a === 'string')
      : typeof entry.command === 'string' ? splitCommandLine(entry.command) : [];
    if (isBpfTarget(parseCompileArguments(args.slice(1), directory).target)) files.push(path.resolve(directory, entry.file));
  }
  return files;
}

/**
 * The BPF program sources below root (service/bpfSources.ts: *.bpf.c, a .c with a BPF section, a .c its build setup
 * compiles for BPF), not following symbolic links to folders (a link cycle must not loop). The build files are read
 * once each however many sources share them.
 */
function walkBpfSources(root: string): string[] {
  const texts = new Map<string, string | undefined>();
  const buildFiles: FileSystemHost = {
    readFile(filePath) {
      if (!texts.has(filePath)) { try { texts.set(filePath, fs.readFileSync(filePath, 'utf8')); } catch { texts.set(filePath, undefined); } }
      return texts.get(filePath);
    },
  };
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let names: fs.Dirent[];
    try { names = fs.readdirSync(dir, { withFileTypes: true }); } catch { continue; }
    for (const entry of names) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) stack.push(full);
      } else if (entry.name.endsWith('.c') && (entry.isFile() || (entry.isSymbolicLink() && isFile(full)))) {
        // the source itself is read once and not kept (a big tree of userland C); the build files are kept
        if (isBpfSource(full, () => { try { return fs.readFileSync(full, 'utf8'); } catch { return undefined; } }, buildFiles)) out.push(full);
      }
    }
  }
  return out;
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

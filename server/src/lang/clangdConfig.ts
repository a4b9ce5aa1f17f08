/**
 * clangd's project configuration: the `.clangd` files in a source file's folder and its ancestors
 * (https://clangd.llvm.org/config). BPF projects without a compilation database often keep their flags there
 * (`CompileFlags: Add: [--target=bpf, -I., -D__TARGET_ARCH_x86]`), so clangd, and we, read them. Only what changes the
 * compile command is read: `CompileFlags.Add`, `CompileFlags.Remove` and `CompileFlags.CompilationDatabase`, each
 * fragment under its `If` (`PathMatch` / `PathExclude`). Index, Diagnostics and the rest are clangd's own business.
 */
import * as path from 'path';
import type { FileSystemHost } from './headers';

/**
 * js-yaml, loaded the first time a `.clangd` file is found: most projects have none, and initializing the parser
 * at every start of the CLI and the server would cost them its time for nothing.
 */
let yamlParser: typeof import('js-yaml') | undefined;
function parseYamlDocuments(text: string): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlParser ??= require('js-yaml') as typeof import('js-yaml');
  return yamlParser.loadAll(text);
}

/** One `---`-separated document of a `.clangd` file that applies to the file. */
export interface ClangdFragment {
  /** The `.clangd` file. */
  file: string;
  add: string[];
  remove: string[];
  /** `CompileFlags.CompilationDatabase`: `None`, `Ancestors`, or a folder (absolute) that holds the database. */
  compilationDatabase?: 'None' | 'Ancestors' | string;
}

/** The config file's name in each folder, as clangd names it. */
export const CLANGD_CONFIG_FILE = '.clangd';

/**
 * The fragments that apply to `filePath`, the outermost folder's first: clangd applies them in that order, so a
 * nearer folder's edits come last (its `-D` wins, its `-I` is searched after). A file that is not valid YAML, a
 * fragment that is not a mapping and an `If` whose regular expression does not compile are skipped, as clangd skips
 * them (reporting them in the config file, not in the source).
 */
export function clangdFragmentsFor(filePath: string, host: FileSystemHost): ClangdFragment[] {
  const folders: string[] = [];
  for (let folder = path.dirname(path.resolve(filePath)); ; folder = path.dirname(folder)) {
    folders.push(folder);
    if (path.dirname(folder) === folder || folders.length >= 64) break;
  }
  const fragments: ClangdFragment[] = [];
  for (const folder of folders.reverse()) {
    const file = path.join(folder, CLANGD_CONFIG_FILE);
    const text = host.readFile(file);
    if (text === undefined) continue;
    let documents: unknown[];
    try {
      documents = parseYamlDocuments(text);
    } catch {
      continue;
    }
    // PathMatch and PathExclude see the file's path relative to the config's folder, with forward slashes
    const relative = path.relative(folder, path.resolve(filePath)).split(path.sep).join('/');
    for (const document of documents) {
      const fragment = fragmentOf(document, file, relative);
      if (fragment) fragments.push(fragment);
    }
  }
  return fragments;
}

function fragmentOf(document: unknown, file: string, relativePath: string): ClangdFragment | undefined {
  if (!isMapping(document)) return undefined;
  if (document.If !== undefined) {
    if (!isMapping(document.If)) return undefined;
    const matches = (patterns: unknown): boolean | undefined => {
      const list = stringList(patterns);
      if (list === undefined) return undefined;
      // clangd anchors each pattern at both ends (llvm::Regex over the whole path)
      return list.some((pattern) => new RegExp(`^(?:${pattern})$`).test(relativePath));
    };
    try {
      if (document.If.PathMatch !== undefined && matches(document.If.PathMatch) !== true) return undefined;
      if (document.If.PathExclude !== undefined && matches(document.If.PathExclude) !== false) return undefined;
    } catch {
      return undefined; // a pattern JavaScript cannot compile
    }
  }
  const flags = document.CompileFlags;
  if (!isMapping(flags)) return undefined;
  const database = typeof flags.CompilationDatabase === 'string' ? flags.CompilationDatabase : undefined;
  return {
    file,
    add: stringList(flags.Add) ?? [],
    remove: stringList(flags.Remove) ?? [],
    ...(database === undefined ? {}
      : { compilationDatabase: database === 'None' || database === 'Ancestors' ? database : path.resolve(path.dirname(file), database) }),
  };
}

/**
 * The compile command's arguments after the fragments' edits, in clangd's order: each fragment removes, then appends
 * what it adds (so a fragment's own Add is never removed by its Remove, and a later fragment can remove it).
 */
export function applyClangdEdits(args: readonly string[], fragments: readonly ClangdFragment[]): string[] {
  let edited = [...args];
  for (const fragment of fragments) {
    if (fragment.remove.length > 0) edited = removeFlags(edited, fragment.remove);
    edited.push(...fragment.add);
  }
  return edited;
}

/** Flags whose value may be the next argument (`-I dir`): removing the flag removes the value with it. */
const SEPARATE_VALUE_FLAGS: ReadonlySet<string> = new Set([
  '-I', '-iquote', '-isystem', '-idirafter', '-D', '-U', '-include', '-imacros', '-target', '--target', '-x', '-o',
  '-MF', '-MT', '-MQ', '-Xclang', '-isysroot', '--sysroot', '-iprefix', '-iwithprefix',
]);

/** Long spellings clangd removes with the short one (`Remove: -I` removes `--include-directory=dir` too). */
const SYNONYMS: Readonly<Record<string, string[]>> = {
  '-I': ['--include-directory='],
  '-idirafter': ['--include-directory-after='],
  '-D': ['--define-macro='],
  '-U': ['--undefine-macro='],
  '-include': ['--include='],
  '-target': ['--target='],
};

/**
 * `CompileFlags.Remove`: a pattern ending in `*` removes every argument starting with what comes before it (`-W*`,
 * `-std=*`); any other removes that flag in each of its spellings (`-I` removes `-I dir`, `-Idir` and
 * `--include-directory=dir`) or, when it carries a value, that argument (`-DDEBUG`). A flag whose value is the next
 * argument takes it along.
 */
export function removeFlags(args: readonly string[], patterns: readonly string[]): string[] {
  const matches = (arg: string): boolean => patterns.some((pattern) => {
    if (pattern.endsWith('*')) return arg.startsWith(pattern.slice(0, -1));
    if (arg === pattern) return true;
    // a joined value: `-Idir` for `-I`, `-DX=1` for `-D` (only flags that take a value join it)
    if (SEPARATE_VALUE_FLAGS.has(pattern) && pattern.length === 2 && arg.startsWith(pattern)) return true;
    return (SYNONYMS[pattern] ?? []).some((long) => arg.startsWith(long));
  });
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!matches(args[i])) { kept.push(args[i]); continue; }
    if (SEPARATE_VALUE_FLAGS.has(args[i])) i++; // its value goes with it
  }
  return kept;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A YAML string or list of strings (clangd takes either where it takes a list); other values are not a list. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
}

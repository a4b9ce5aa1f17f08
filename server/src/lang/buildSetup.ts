/**
 * The build setup of one file: what clang would be run with. The one place the CLI, the language server, the
 * run worker and the debugger get a file's preprocessing options from (service/analysis.ts calls it), so a
 * header found in the editor is found by `bpf-iter check` too.
 *
 * Sources, in order: the user's own folders (the `bpfIter.includePaths` setting, the CLI's -I) and defines;
 * the nearest `compile_commands.json` / `build/compile_commands.json` / `compile_flags.txt` walking up from
 * the file, edited by the `.clangd` files above it (headers.ts, clangdConfig.ts: clangd's rules); the system
 * folders clang -target bpf searches (given by the host, so tests can run without /usr/include); the bundled
 * fallbacks under server/headers.
 */
import * as path from 'path';
import { CompileFlags, FileSystemHost, findCompileFlags, BUILD_SETUP_FILES } from './headers';
import { CLANGD_CONFIG_FILE } from './clangdConfig';
import { PreprocessOptions, hostArchOf, includeSearchPath } from './preprocessor';

/** `local` /usr/local/include, `compiler` clang's resource folder (stddef.h, stdint.h...), `usr` /usr/include. */
export type SystemFolderRole = 'local' | 'compiler' | 'usr' | 'multiarch';

export interface SystemIncludeFolders {
  /** The folders clang -target bpf searches after -isystem, in its order (`clang -target bpf -E -v -x c /dev/null`). */
  searched: Array<{ path: string; role: SystemFolderRole }>;
  /**
   * System folders clang -target bpf does not search, though headers there are often wanted: the multiarch
   * folder (/usr/include/x86_64-linux-gnu holds asm/types.h). Named in the "file not found" hint.
   */
  unsearched: string[];
}

export const NO_SYSTEM_FOLDERS: SystemIncludeFolders = { searched: [], unsearched: [] };

export type SearchFolderOrigin =
  | { kind: 'setting' }
  | { kind: 'flags'; flag: '-iquote' | '-I' | '-isystem' | '-idirafter'; file: string }
  | { kind: 'system'; role: SystemFolderRole }
  | { kind: 'bundled' };

export interface SearchFolder { path: string; origin: SearchFolderOrigin }

/** What the editor settings or the command line add; they come before the build files' flags. */
export interface BuildSettings {
  includePaths?: string[];
  defines?: Record<string, string>;
  /** `__TARGET_ARCH_<arch>` when neither the settings nor the flags define one; default 'x86'. */
  targetArch?: string;
  useBundledHeaders?: boolean;
}

export interface BuildSetup {
  /** The preprocessor's options (no cache or state). */
  options: PreprocessOptions;
  /** `includeSearchPath(options).directories`, each with where it came from; an IncludeRecord's searchIndex indexes it. */
  searchPath: SearchFolder[];
  /** The compile flags read, with the file they came from; undefined when no build file was found. */
  flags?: CompileFlags;
}

/** The build setup of `filePath`. Reads the build files through `host` on every call: an edit is seen at once. */
export function buildSetupForFile(filePath: string, host: FileSystemHost, settings: BuildSettings = {}, bpfSystem: SystemIncludeFolders = NO_SYSTEM_FOLDERS): BuildSetup {
  const flags = findCompileFlags(filePath, host);
  const system = systemFoldersOf(flags?.target, bpfSystem);
  const userFolders = settings.includePaths ?? [];
  const defines = { ...(flags?.defines ?? {}), ...(settings.defines ?? {}) };
  const archDefined = Object.keys(defines).some((name) => name.startsWith('__TARGET_ARCH_'));
  const options: PreprocessOptions = {
    quoteIncludePaths: flags?.quoteIncludePaths ?? [],
    includePaths: [...userFolders, ...(flags?.includePaths ?? [])],
    systemIncludePaths: flags?.systemIncludePaths ?? [],
    builtinIncludePaths: system.searched.map((folder) => folder.path),
    afterIncludePaths: flags?.afterIncludePaths ?? [],
    defines,
    undefines: flags?.undefines ?? [],
    forcedIncludes: flags?.forcedIncludes ?? [],
    ...(flags?.forcedIncludeNames ? { forcedIncludeNames: flags.forcedIncludeNames } : {}),
    useBundledHeaders: settings.useBundledHeaders ?? true,
    targetArch: archDefined ? '' : settings.targetArch ?? 'x86',
    ...(flags?.std !== undefined ? { languageStandard: flags.std } : {}),
    ...(flags?.target !== undefined ? { targetTriple: flags.target } : {}),
    includeNotFoundHint: notFoundHint(filePath, flags),
    unsearchedSystemPaths: system.unsearched,
  };
  const fromFlags = (flag: '-iquote' | '-I' | '-isystem' | '-idirafter', folders: string[] | undefined): SearchFolder[] =>
    (folders ?? []).map((p) => ({ path: p, origin: { kind: 'flags', flag, file: flags!.folderSources?.[p] ?? flags!.source ?? '' } }));
  const searchPath: SearchFolder[] = [
    ...fromFlags('-iquote', flags?.quoteIncludePaths),
    ...userFolders.map((p): SearchFolder => ({ path: p, origin: { kind: 'setting' } })),
    ...fromFlags('-I', flags?.includePaths),
    ...fromFlags('-isystem', flags?.systemIncludePaths),
    ...system.searched.map((folder): SearchFolder => ({ path: folder.path, origin: { kind: 'system', role: folder.role } })),
    ...fromFlags('-idirafter', flags?.afterIncludePaths),
  ];
  const directories = includeSearchPath(options).directories;
  if (directories.length > searchPath.length) searchPath.push({ path: directories[directories.length - 1], origin: { kind: 'bundled' } });
  return { options, searchPath, flags };
}

/**
 * The system folders clang searches for the build's `-target`: bpf's as probed, or for a host triple those of
 * clang's Linux toolchain (`clang -target x86_64-linux-gnu -E -v -x c /dev/null`, clang 14): its resource folder,
 * /usr/local/include, the multiarch folder /usr/include/<arch>-linux-gnu when it exists, /usr/include.
 */
function systemFoldersOf(target: string | undefined, bpf: SystemIncludeFolders): SystemIncludeFolders {
  const arch = hostArchOf(target);
  if (arch === undefined) return bpf;
  const byRole = (role: SystemFolderRole) => bpf.searched.filter((folder) => folder.role === role);
  const multiarch = bpf.unsearched.filter((p) => path.basename(p) === `${arch}-linux-gnu`);
  return {
    searched: [...byRole('compiler'), ...byRole('local'), ...multiarch.map((p) => ({ path: p, role: 'multiarch' as const })), ...byRole('usr')],
    unsearched: bpf.unsearched.filter((p) => !multiarch.includes(p)),
  };
}

/** How to add a folder for this file: in the build file that applies, or by creating compile_flags.txt. */
function notFoundHint(filePath: string, flags: CompileFlags | undefined): string {
  if (flags?.source && path.basename(flags.source) === 'compile_flags.txt') return `add a line -I<folder holding it> to ${flags.source}`;
  if (flags?.source && path.basename(flags.source) === CLANGD_CONFIG_FILE) return `add -I<folder holding it> to CompileFlags: Add: in ${flags.source}`;
  if (flags?.source) return `add -I<folder holding it> to this file's command in ${flags.source} (or to the build that generates it)`;
  return `no ${BUILD_SETUP_FILES.map((name) => path.basename(name)).filter((n, i, all) => all.indexOf(n) === i).join(' or ')} was found in ${path.dirname(filePath)} or above: `
    + 'create compile_flags.txt at the project root with a line -I<folder holding it> (or set bpfIter.includePaths, or pass -I to bpf-iter)';
}

/** Why a folder is searched, for hover: "-I headers from compile_flags.txt at /p/compile_flags.txt". */
export function describeSearchFolder(folder: SearchFolder): string {
  const origin = folder.origin;
  switch (origin.kind) {
    case 'setting': return `${folder.path}, from the bpfIter.includePaths setting (or the command line -I)`;
    case 'flags': {
      const relative = path.relative(path.dirname(origin.file), folder.path) || '.';
      return `${origin.flag} ${relative} from ${path.basename(origin.file)} at ${origin.file}`;
    }
    case 'system':
      return origin.role === 'compiler' ? `clang's own headers (${folder.path}): a system header`
        : origin.role === 'multiarch' ? `system header folder ${folder.path}, which clang searches for this build's -target`
        : `system header folder ${folder.path}, which clang -target bpf searches`;
    case 'bundled': return 'the headers bundled with bpf-iter-lab';
  }
}

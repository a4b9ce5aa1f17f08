/**
 * `bpf-iter check [FILE|DIR|-]...`: which files (the arguments, or a project's files: cli/project.ts), checked
 * over the cores (cli/checkPool.ts), gated (`--Werror`, `--disable`/`--enable`, `.bpf-iter.json`) and reported
 * in one of the formats of cli/formats.ts. Exit status: 0 clean, 1 diagnostics at the failing level,
 * 2 usage or configuration error (thrown as CheckUsageError), 3 internal error (thrown to the caller).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Settings, ValidateOptions } from '../service/languageService';
import { findProjectConfig, ProjectConfig } from '../service/projectConfig';
import { severityName } from '../service/diagnostics';
import { checkFiles, CheckJob } from './checkPool';
import { projectFiles, ProjectError } from './project';
import {
  CheckedFile, ReportFormat, countDiagnostics, formatGithub, formatJson, formatSarif, formatTextDiagnostic, summaryLine,
} from './formats';

/** A usage or configuration problem: exit 2 with this message. */
export class CheckUsageError extends Error {}

export interface CheckIo {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Reads all of stdin (for `-`). */
  readStdin?(): Promise<string>;
  stderrIsTTY?: boolean;
}

export interface CheckRequest {
  /** FILE, DIR or `-` arguments; none: the project around `cwd`. */
  targets: string[];
  cwd: string;
  buildDir?: string;
  stdinFilename?: string;
  format: ReportFormat;
  color: boolean;
  warningsAsErrors: boolean;
  settings: Settings;
  options: ValidateOptions;
  jobs?: number;
  version: string;
}

interface Target { job: CheckJob; display: string }

export async function check(req: CheckRequest, io: CheckIo): Promise<number> {
  const { targets, projectMode } = await collectTargets(req, io);
  // The project files of every folder a file is in, validated before anything runs (exit 2 names the bad key).
  const configs = new Map<string, ProjectConfig>();
  for (const t of targets) {
    const dir = path.dirname(t.job.path);
    if (configs.has(dir)) continue;
    const found = findProjectConfig(dir, readIfExists);
    if (found.error) throw new CheckUsageError(`${found.file}: ${found.error}`);
    configs.set(dir, found.config);
  }

  const checked: CheckedFile[] = [];
  let failing = 0;
  let progressShown = false;
  const clearProgress = () => { if (progressShown) { io.stderr('\r\x1b[K'); progressShown = false; } };
  const streaming = req.format === 'text' || req.format === 'github';
  await checkFiles(targets.map((t) => t.job), {
    settings: req.settings, options: req.options, jobs: req.jobs,
    onProgress: io.stderrIsTTY && targets.length > 1 ? (done, total, file) => {
      io.stderr(`\r\x1b[K[${done}/${total}] ${path.relative(req.cwd, file) || file}`);
      progressShown = true;
    } : undefined,
    onResult: (index, outcome) => {
      const t = targets[index];
      const file: CheckedFile = { path: t.job.path, display: t.display, text: outcome.text, diagnostics: outcome.diagnostics, readError: outcome.readError };
      const werror = req.warningsAsErrors || configs.get(path.dirname(t.job.path))!.warningsAsErrors;
      if (file.readError) failing++;
      for (const d of file.diagnostics) {
        const severity = severityName(d.severity);
        if (severity === 'error' || (werror && severity === 'warning')) failing++;
      }
      clearProgress();
      if (file.readError) io.stderr(`bpf-iter: ENOENT: ${file.readError.replace(t.job.path, t.display)}\n`);
      if (req.format === 'text') {
        for (const d of file.diagnostics) io.stdout(formatTextDiagnostic(file.display, file.text, d, req.color));
      } else if (req.format === 'github') {
        io.stdout(formatGithub([file]));
      }
      // Kept for the formats written at the end; the text is dropped once a streaming format printed it.
      checked.push(streaming ? { ...file, text: '' } : file);
    },
  });
  clearProgress();
  if (req.format === 'json') io.stdout(formatJson(checked));
  else if (req.format === 'sarif') io.stdout(formatSarif(checked, req.cwd, req.version));
  if (req.format === 'text' && (projectMode || targets.length > 1)) io.stderr(summaryLine(countDiagnostics(checked)) + '\n');
  return failing > 0 ? 1 : 0;
}

function readIfExists(p: string): string | undefined {
  try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; }
}

async function collectTargets(req: CheckRequest, io: CheckIo): Promise<{ targets: Target[]; projectMode: boolean }> {
  const targets: Target[] = [];
  let projectMode = false;
  const addProject = (folder: string) => {
    projectMode = true;
    let project;
    try {
      project = projectFiles(path.resolve(req.cwd, folder), req.buildDir);
    } catch (e) {
      if (e instanceof ProjectError) throw new CheckUsageError(e.message);
      throw e;
    }
    if (project.files.length === 0) throw new CheckUsageError(`no *.bpf.c file and no compile_commands.json entry for BPF in ${folder}`);
    for (const file of project.files) targets.push({ job: { path: file }, display: path.relative(req.cwd, file) || file });
  };
  if (req.targets.length === 0) addProject('.');
  let stdinUsed = false;
  for (const target of req.targets) {
    if (target === '-') {
      if (stdinUsed) throw new CheckUsageError('- (stdin) can be given once');
      if (!io.readStdin) throw new CheckUsageError('stdin cannot be read here');
      stdinUsed = true;
      const name = req.stdinFilename ?? '<stdin>';
      targets.push({ job: { path: path.resolve(req.cwd, name), text: await io.readStdin() }, display: name });
      continue;
    }
    const absolute = path.resolve(req.cwd, target);
    let isFolder = false;
    try { isFolder = fs.statSync(absolute).isDirectory(); } catch { /* a missing file is reported as unreadable */ }
    if (isFolder) addProject(target);
    else targets.push({ job: { path: absolute }, display: target });
  }
  if (req.buildDir !== undefined && !projectMode) throw new CheckUsageError('-p BUILD_DIR applies when checking a folder or the project (no FILE)');
  return { targets, projectMode };
}

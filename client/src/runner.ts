import * as vscode from 'vscode';
import { runProgressMessage, type ListProgramsParams, type ListProgramsResult, type RunParams, type RunProgressParams, type RunResult } from '../../shared/src/protocol';
import { ListProgramsRequest, RunOutputNotification, RunProgressNotification, RunRequest } from '../../shared/src/requests';
import type { PanelTarget } from './panel/messages';
import type { RunLive } from './panel/panelController';
import { scenarioUriFor } from './scenarioPaths';
import type { ServerClient } from './serverClient';

/**
 * Runs a program through `bpfIter/run`. With `live` (the Run panel), the output streams into it in pages
 * (RunOutputNotification) and its progress and Cancel are the panel's. Without, a run that takes a while gets a
 * progress notification (elements of the walk's total and elements/s from the server's RunProgressNotification, a
 * bar when the total is known). Either Cancel cancels the LSP request (the server stops the run at its next check);
 * the answer is then undefined.
 */
export async function runWithProgress(server: ServerClient, target: PanelTarget, live?: RunLive): Promise<RunResult | undefined> {
  const params: RunParams = { uri: target.uri, program: target.program, map: target.map, scenario: target.scenario };
  if (!params.scenario && !(await exists(scenarioUriFor(vscode.Uri.parse(target.uri))))) {
    // Without its own scenario the program runs on the default one, and the CPU count the user configured.
    const config = vscode.workspace.getConfiguration('bpfIter', vscode.Uri.parse(target.uri));
    const fallback = config.get<string>('defaultScenario', '');
    if (fallback) params.scenario = resolveWorkspacePath(fallback);
    const cpus = config.inspect<number>('cpus');
    const chosen = cpus?.workspaceFolderValue ?? cpus?.workspaceValue ?? cpus?.globalValue;
    if (chosen !== undefined) params.cpus = chosen;
  }
  params.progressId = `run-${++runCounter}-${Date.now()}`;
  if (live) return runLive(server, params, live);
  let latest: RunProgressParams | undefined;
  let show: ((p: RunProgressParams) => void) | undefined;
  const listening = server.onNotification(RunProgressNotification, (p) => {
    if (p.progressId !== params.progressId) return;
    latest = p;
    show?.(p);
  });
  const cancel = new vscode.CancellationTokenSource();
  const request = server.sendRequest(RunRequest, params, cancel.token)
    .catch((err) => { if (cancel.token.isCancellationRequested) return undefined; throw err; });
  try {
    // Most runs take milliseconds: a notification only for runs still going after PROGRESS_DELAY_MS.
    const quick = await Promise.race([request, delay(PROGRESS_DELAY_MS).then(() => PENDING)]);
    if (quick !== PENDING) return quick as RunResult | undefined;
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running ${target.program ?? 'iterator'}${target.map ? ` on ${target.map}` : ''}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => cancel.cancel());
                let shownPercent = 0;
        show = (p) => {
          // withProgress adds increments: report the growth of the percentage since the last report
          const percent = p.total ? Math.min(100, (p.objects / p.total) * 100) : undefined;
          progress.report({ message: runProgressMessage(p), ...(percent !== undefined ? { increment: percent - shownPercent } : {}) });
          if (percent !== undefined) shownPercent = percent;
        };
        if (latest) show(latest);
        return request;
      });
  } finally {
    listening.dispose();
    cancel.dispose();
  }
}

/** A run whose output, progress and Cancel belong to the Run panel. */
async function runLive(server: ServerClient, params: RunParams, live: RunLive): Promise<RunResult | undefined> {
  params.streamOutput = { keepBytes: live.keepBytes };
  const mine = (p: { progressId: string }) => p.progressId === params.progressId;
  const listening = [
    server.onNotification(RunProgressNotification, (p) => { if (mine(p)) live.onProgress(p); }),
    server.onNotification(RunOutputNotification, (p) => { if (mine(p)) live.onOutput(p.offset, Buffer.from(p.base64, 'base64')); }),
  ];
  const cancel = new vscode.CancellationTokenSource();
  const onAbort = () => cancel.cancel();
  live.signal.addEventListener('abort', onAbort);
  if (live.signal.aborted) cancel.cancel();
  try {
    return await server.sendRequest(RunRequest, params, cancel.token)
      .catch((err) => { if (cancel.token.isCancellationRequested) return undefined; throw err; });
  } finally {
    live.signal.removeEventListener('abort', onAbort);
    for (const l of listening) l.dispose();
    cancel.dispose();
  }
}

const PROGRESS_DELAY_MS = 400;
let runCounter = 0;
const PENDING: unique symbol = Symbol('pending');
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function exists(uri: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; }
}

/** `bpfIter.defaultScenario` may be relative to the first workspace folder. */
function resolveWorkspacePath(p: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(p)) return p;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (p.startsWith('/') || !folder) return vscode.Uri.file(p).toString();
  return vscode.Uri.joinPath(folder, p).toString();
}

export function listPrograms(server: ServerClient, uri: string): Promise<ListProgramsResult> {
  const params: ListProgramsParams = { uri };
  return server.sendRequest(ListProgramsRequest, params);
}

export function isBpfSource(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return !!uri && uri.scheme === 'file' && uri.path.endsWith('.bpf.c');
}

/** The *.bpf.c the command is about: its argument (code lens, context menu) or the active editor. */
export function sourceUriFrom(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  const active = vscode.window.activeTextEditor?.document.uri;
  return isBpfSource(active) ? active : undefined;
}

/**
 * Which program of the file to run: the one given, the only one, or the user's pick.
 * Undefined when the file has none or the pick was dismissed (a message was shown).
 */
export async function pickProgram(server: ServerClient, uri: vscode.Uri, given?: string): Promise<{ program: string; info: ListProgramsResult } | undefined> {
  const info = await listPrograms(server, uri.toString());
  if (given) return { program: given, info };
  if (info.programs.length === 0) {
    void vscode.window.showWarningMessage(`No SEC("iter/...") program in ${vscode.workspace.asRelativePath(uri)}.`);
    return undefined;
  }
  if (info.programs.length === 1) return { program: info.programs[0].name, info };
  const pick = await vscode.window.showQuickPick(
    info.programs.map((p) => ({ label: p.name, description: p.section })),
    { title: 'Run which iterator program?' });
  return pick ? { program: pick.label, info } : undefined;
}

import * as vscode from 'vscode';
import { registerPanelSerializer, registerStaleWatcher } from './panel/panelSerializer';
import { RunPanel } from './panel/runPanel';
import { registerRunCommands } from './runCommands';
import { registerCompareKernelCommand } from './compareKernel';
import { runWithProgress } from './runner';
import { registerScenarioCommand } from './scenarioFile';
import { ServerClient } from './serverClient';
import { registerStatusBar } from './statusBar';
import { registerDebugIterator } from './debug/debugIterator';

/** What the extension returns from activate(); the e2e suite uses it to observe the server and the panels. */
export interface BpfIterApi {
  readonly server: ServerClient;
  openPanels(): Array<{ uri: string; program?: string; output?: string | null }>;
}

let server: ServerClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<BpfIterApi> {
  const output = vscode.window.createOutputChannel('BPF Iterator Lab', { log: true });
  server = new ServerClient(context, output);
  const current = server;
  context.subscriptions.push(output, { dispose: () => void current.dispose() });

  registerStatusBar(context, current);
  registerRunCommands(context, current);
  registerCompareKernelCommand(context, current);
  registerScenarioCommand(context, current);
  registerPanelSerializer(context, (target, live) => runWithProgress(current, target, live));
  registerStaleWatcher(context);
  registerDebugIterator(context);

  // A failed start is in the output channel and the status bar; commands retry it.
  current.start().catch(() => undefined);

  return {
    server: current,
    openPanels: () => RunPanel.all().map((p) => ({ uri: p.target.uri, program: p.target.program, output: p.lastResult?.output })),
  };
}

export async function deactivate(): Promise<void> {
  await server?.dispose();
  server = undefined;
}

import * as vscode from 'vscode';
import type { PanelTarget } from './messages';
import { RUN_PANEL_VIEW_TYPE, RunPanel, Runner } from './runPanel';

/** Restores Run panels after a window reload from the target the webview saved with setState. */
export function registerPanelSerializer(context: vscode.ExtensionContext, runner: Runner): void {
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const target = targetFromState(state);
      if (!target) {
        panel.dispose();
        return;
      }
      RunPanel.revive(panel, context.extensionUri, runner, target);
    },
  }));
}

export function targetFromState(state: unknown): PanelTarget | undefined {
  const t = (state as { target?: Record<string, unknown> } | undefined)?.target;
  if (!t || typeof t.uri !== 'string') return undefined;
  const opt = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { uri: t.uri, program: opt(t.program), map: opt(t.map), scenario: opt(t.scenario) };
}

/**
 * Marks panels stale when their program or a scenario changes, so the panel offers "Re-run"
 * instead of silently showing output of code that no longer exists.
 */
export function registerStaleWatcher(context: vscode.ExtensionContext): void {
  const programChanged = (uri: vscode.Uri) => {
    for (const panel of RunPanel.all()) {
      if (panel.target.uri === uri.toString()) panel.markStale('The program changed since this run.');
    }
  };
  const scenarioChanged = (uri: vscode.Uri) => {
    for (const panel of RunPanel.all()) {
      const dir = panel.target.uri.slice(0, panel.target.uri.lastIndexOf('/') + 1);
      const own = panel.target.scenario === uri.toString() || uri.toString().startsWith(dir);
      if (own) panel.markStale(`The scenario ${vscode.workspace.asRelativePath(uri)} changed since this run.`);
    }
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.bpfscenario.json');
  context.subscriptions.push(
    watcher, watcher.onDidChange(scenarioChanged), watcher.onDidCreate(scenarioChanged), watcher.onDidDelete(scenarioChanged),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      if (e.document.uri.path.endsWith('.bpfscenario.json')) scenarioChanged(e.document.uri);
      else programChanged(e.document.uri);
    }),
  );
}

import * as vscode from 'vscode';
import type { RunResult, SourceRange } from '../../../shared/src/protocol';
import { makeNonce, panelHtml } from './html';
import { parseFromWebview, PanelSection, PanelTarget, ToWebview } from './messages';
import { DEFAULT_PANEL_OUTPUT_BYTES, PanelController, RunLive } from './panelController';
import { mapEntriesText } from './viewModel';

export const RUN_PANEL_VIEW_TYPE = 'bpfIter.runPanel';

export type Runner = (target: PanelTarget, live?: RunLive) => Promise<RunResult | undefined>;

/** One webview panel per program (file + function name), as in webview-sample's createOrShow/revive. */
export class RunPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, RunPanel>();
  private readonly controller: PanelController;
  private readonly disposables: vscode.Disposable[] = [];

  static key(target: PanelTarget): string {
    return `${target.uri}#${target.program ?? ''}`;
  }

  static all(): RunPanel[] {
    return [...RunPanel.panels.values()];
  }

  /** Shows the program's panel (creating it) and runs the program; resolves with the run's result. */
  static async createOrShow(extensionUri: vscode.Uri, runner: Runner, target: PanelTarget, focus?: PanelSection): Promise<RunPanel> {
    const existing = RunPanel.panels.get(RunPanel.key(target));
    if (existing) {
      existing.panel.reveal(undefined, true);
      await existing.controller.rerun(target);
      if (focus) existing.post({ type: 'focusSection', section: focus });
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RUN_PANEL_VIEW_TYPE, titleFor(target),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri));
    const created = new RunPanel(panel, extensionUri, runner, target);
    await created.controller.rerun(target);
    if (focus) created.post({ type: 'focusSection', section: focus });
    return created;
  }

  /** Re-creates a panel after a window reload; the webview's ready message runs the program again. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runner: Runner, target: PanelTarget): RunPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new RunPanel(panel, extensionUri, runner, target);
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runner: Runner, target: PanelTarget) {
    RunPanel.panels.get(RunPanel.key(target))?.dispose();
    RunPanel.panels.set(RunPanel.key(target), this);
    this.controller = new PanelController({
      post: (m) => this.post(m),
      run: runner,
      keepBytes: (t) => vscode.workspace.getConfiguration('bpfIter', vscode.Uri.parse(t.uri)).get<number>('panelOutputBytes', DEFAULT_PANEL_OUTPUT_BYTES),
      copyText: async (text) => {
        await vscode.env.clipboard.writeText(text);
        void vscode.window.setStatusBarMessage(`Copied ${Buffer.byteLength(text, 'utf8').toLocaleString('en-US')} bytes of iterator output`, 3000);
      },
      reveal: (file, range) => void revealRange(file, range),
      openMapEntries: (result, mapId) => void openMapEntries(result, mapId),
      titleFor,
    }, target);
    const media = vscode.Uri.joinPath(extensionUri, 'client', 'media');
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'images', 'icon.png');
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
      nonce: makeNonce(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => {
        const message = parseFromWebview(raw);
        if (message) void this.controller.handle(message);
      }),
    );
  }

  get target(): PanelTarget {
    return this.controller.target;
  }

  get lastResult(): RunResult | undefined {
    return this.controller.lastResult;
  }

  rerun(): Promise<RunResult | undefined> {
    return this.controller.rerun();
  }

  markStale(reason: string): void {
    this.controller.markStale(reason);
  }

  private post(message: ToWebview): void {
    if (message.type === 'result' || message.type === 'running') this.panel.title = titleFor(message.target);
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (RunPanel.panels.get(RunPanel.key(this.target)) === this) RunPanel.panels.delete(RunPanel.key(this.target));
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, enableFindWidget: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'client', 'media')] };
}

function titleFor(target: PanelTarget): string {
  const file = decodeURIComponent(target.uri.slice(target.uri.lastIndexOf('/') + 1));
  return `Run: ${target.program ?? file}${target.map ? ` (${target.map})` : ''}`;
}

async function revealRange(file: string, range: SourceRange): Promise<void> {
  const uri = /^[a-z][a-z0-9+.-]*:/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
  const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  await vscode.window.showTextDocument(uri, { selection, viewColumn: vscode.ViewColumn.One });
}

async function openMapEntries(result: RunResult, mapId: number): Promise<void> {
  const map = result.maps.find((m) => m.id === mapId);
  if (!map) return;
  const doc = await vscode.workspace.openTextDocument({ content: mapEntriesText(map), language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Active });
}

import * as vscode from 'vscode';
import { CommandIds } from '../../shared/src/protocol';
import type { ServerClient, ServerState } from './serverClient';

const LOOK: Record<ServerState, { text: string; tooltip: string; error?: boolean }> = {
  starting: { text: '$(sync~spin) BPF Iter', tooltip: 'BPF Iterator Lab: server starting' },
  running: { text: '$(check) BPF Iter', tooltip: 'BPF Iterator Lab: server running (simulated Linux 6.18). Click for the log.' },
  restarting: { text: '$(sync~spin) BPF Iter', tooltip: 'BPF Iterator Lab: server restarting' },
  stopped: { text: '$(circle-slash) BPF Iter', tooltip: 'BPF Iterator Lab: server stopped' },
  failed: { text: '$(error) BPF Iter', tooltip: 'BPF Iterator Lab: server failed. Click for the log.', error: true },
};

/** Shows the server's state while a *.bpf.c file is in the editor; a click opens the server log. */
export function registerStatusBar(context: vscode.ExtensionContext, server: ServerClient): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('bpfIter.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'BPF Iterator Lab';
  item.command = CommandIds.showOutput;
  const render = () => {
    const look = LOOK[server.state];
    item.text = look.text;
    item.tooltip = look.tooltip;
    item.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.path.endsWith('.bpf.c')) item.show(); else item.hide();
  };
  render();
  context.subscriptions.push(item, server.onDidChangeState(render), vscode.window.onDidChangeActiveTextEditor(render),
    vscode.commands.registerCommand(CommandIds.showOutput, () => server.outputChannel.show(true)));
  return item;
}

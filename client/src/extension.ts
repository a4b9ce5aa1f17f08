import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // The language client is wired in issue 2's client commit.
}

export function deactivate(): void {}

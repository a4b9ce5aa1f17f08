/**
 * "Debug Iterator": the `bpf-iter` debug type. The adapter is dist/debug.js, run by the editor's own Node
 * (ELECTRON_RUN_AS_NODE) over stdio, so the client stays independent of the server's code. The command
 * `bpfIter.debug` starts a session for a file (and program) without a launch.json.
 */
import * as vscode from 'vscode';
import { CommandIds } from '../../../shared/src/protocol';

export const DEBUG_TYPE = 'bpf-iter';

export function registerDebugIterator(context: vscode.ExtensionContext): void {
  const adapterScript = context.asAbsolutePath('dist/debug.js');
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterExecutable(process.execPath, [adapterScript], { env: { ELECTRON_RUN_AS_NODE: '1' } }),
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      resolveDebugConfiguration(_folder, config) {
        // F5 without a launch.json: debug the active .bpf.c file.
        if (!config.type && !config.request && !config.name) {
          const editor = vscode.window.activeTextEditor;
          if (editor && /\.bpf\.c$/.test(editor.document.fileName)) {
            Object.assign(config, { type: DEBUG_TYPE, request: 'launch', name: 'Debug Iterator', program: editor.document.fileName });
          }
        }
        if (!config.program) {
          return vscode.window.showErrorMessage('Debug Iterator needs "program": the .bpf.c file to run.').then(() => undefined);
        }
        return withSettings(config);
      },
    }),
    vscode.commands.registerCommand(CommandIds.debug, async (uri?: vscode.Uri | string, programName?: string) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) { void vscode.window.showErrorMessage('Open a .bpf.c file to debug its iterator.'); return false; }
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
      if (document?.isDirty) await document.save();
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), {
        type: DEBUG_TYPE, request: 'launch', name: programName ? `Debug ${programName}` : 'Debug Iterator', program: target.fsPath,
        ...(programName ? { programName } : {}),
      });
    }),
  );
}

/** Include paths from the settings apply to debugging as to Run, unless the configuration gives its own. */
function withSettings(config: vscode.DebugConfiguration): vscode.DebugConfiguration {
  const includePaths = vscode.workspace.getConfiguration('bpfIter').get<string[]>('includePaths') ?? [];
  return config.includePaths === undefined && includePaths.length ? { ...config, includePaths } : config;
}

import * as vscode from 'vscode';
import { CommandIds, type RunResult } from '../../shared/src/protocol';
import { PanelSection } from './panel/messages';
import { RunPanel, type Runner } from './panel/runPanel';
import { pickProgram, runWithProgress, sourceUriFrom } from './runner';
import type { ServerClient } from './serverClient';

/**
 * "Run Iterator", "Run on Map...", "Show Link Info" and "Open Simulated Kernel Maps": each shows the program's
 * Run panel (running it) and resolves with the panel, so tests and other commands can read the result.
 */
export function registerRunCommands(context: vscode.ExtensionContext, server: ServerClient): void {
  const runner: Runner = (target, live) => runWithProgress(server, target, live);

  const runAndShow = async (uriArg: unknown, program: unknown, map: unknown, focus?: PanelSection): Promise<RunResult | undefined> => {
    const uri = sourceUriFrom(uriArg);
    if (!uri) {
      void vscode.window.showWarningMessage('Open a *.bpf.c file to run its iterator program.');
      return undefined;
    }
    const picked = await pickProgram(server, uri, typeof program === 'string' ? program : undefined);
    if (!picked) return undefined;
    const target = { uri: uri.toString(), program: picked.program, map: typeof map === 'string' ? map : undefined };
    const panel = await RunPanel.createOrShow(context.extensionUri, runner, target, focus);
    return panel.lastResult;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(CommandIds.run, (uri?: unknown, program?: unknown, map?: unknown) => runAndShow(uri, program, map)),
    vscode.commands.registerCommand(CommandIds.runOnMap, async (uriArg?: unknown, program?: unknown, mapArg?: unknown) => {
      const uri = sourceUriFrom(uriArg);
      if (!uri) {
        void vscode.window.showWarningMessage('Open a *.bpf.c file to run its iterator program.');
        return undefined;
      }
      const picked = await pickProgram(server, uri, typeof program === 'string' ? program : undefined);
      if (!picked) return undefined;
      let map = typeof mapArg === 'string' ? mapArg : undefined;
      if (!map) {
        if (picked.info.maps.length === 0) {
          void vscode.window.showWarningMessage('The program and its scenario define no map to attach to.');
          return undefined;
        }
        map = (await vscode.window.showQuickPick(picked.info.maps, { title: `Attach ${picked.program} to which map?`, placeHolder: 'map name' }));
        if (!map) return undefined;
      }
      return runAndShow(uri, picked.program, map);
    }),
    vscode.commands.registerCommand(CommandIds.showLinkInfo, (uri?: unknown, program?: unknown) => runAndShow(uri, program, undefined, 'link')),
    vscode.commands.registerCommand(CommandIds.openMaps, (uri?: unknown, program?: unknown) => runAndShow(uri, program, undefined, 'maps')),
    vscode.commands.registerCommand(CommandIds.restartServer, async () => {
      await server.restart();
      void vscode.window.setStatusBarMessage('BPF Iterator Lab server restarted', 3000);
    }),
  );
}

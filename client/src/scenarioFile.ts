import * as vscode from 'vscode';
import { CommandIds } from '../../shared/src/protocol';
import { listPrograms, sourceUriFrom } from './runner';
import { scenarioUriFor } from './scenarioPaths';
import { scenarioTemplate } from './scenarioTemplate';
import type { ServerClient } from './serverClient';

export { scenarioUriFor };

/** "Create Scenario File": writes `<stem>.bpfscenario.json` beside the program (or opens the existing one). */
export function registerScenarioCommand(context: vscode.ExtensionContext, server: ServerClient): void {
  context.subscriptions.push(vscode.commands.registerCommand(CommandIds.createScenario, async (uriArg?: unknown) => {
    const source = sourceUriFrom(uriArg);
    if (!source) {
      void vscode.window.showWarningMessage('Open a *.bpf.c file to create its scenario file.');
      return undefined;
    }
    const target = scenarioUriFor(source);
    let exists = true;
    try { await vscode.workspace.fs.stat(target); } catch { exists = false; }
    if (!exists) {
      const maps = await listPrograms(server, source.toString()).then((r) => r.maps, () => [] as string[]);
      const cpus = vscode.workspace.getConfiguration('bpfIter').get<number | null>('cpus') ?? 4;
      const schema = vscode.Uri.joinPath(context.extensionUri, 'schemas', 'scenario.schema.json').toString();
      await vscode.workspace.fs.writeFile(target, Buffer.from(scenarioTemplate(schema, maps, cpus), 'utf8'));
    }
    await vscode.window.showTextDocument(target);
    return target;
  }));
}

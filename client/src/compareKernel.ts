import * as vscode from 'vscode';
import { CommandIds, CompareKernelParams, CompareKernelResult, CompareKernelSide } from '../../shared/src/protocol';
import { CompareKernelRequest } from '../../shared/src/requests';
import { pickProgram, sourceUriFrom } from './runner';
import type { ServerClient } from './serverClient';

/** The scheme of the two read-only documents the diff editor shows (simulated | kernel). */
const SCHEME = 'bpf-iter-compare';

function sideText(side: CompareKernelSide): string {
  const output = side.output ?? (side.output_base64 !== undefined ? `(binary output, base64)\n${side.output_base64}\n` : '');
  return side.error ? `${output}${output && !output.endsWith('\n') ? '\n' : ''}[${side.error.errno}] ${side.error.message}\n` : output;
}

/**
 * "Compare with Real Kernel": saves the file, asks the server to run it on the simulated and on this host's real
 * kernel, and shows the two outputs in a diff editor (VS Code highlights the first difference). Identical outputs
 * are one message; a kernel that cannot be asked (not root, EPERM) is one warning line, and the diff shows the
 * simulated output beside that line. Resolves with the result (for tests).
 */
export function registerCompareKernelCommand(context: vscode.ExtensionContext, server: ServerClient): void {
  const contents = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(changed, vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => contents.get(uri.toString()) ?? '',
  }));
  context.subscriptions.push(vscode.commands.registerCommand(CommandIds.compareKernel, async (uriArg?: unknown, program?: unknown): Promise<CompareKernelResult | undefined> => {
    const uri = sourceUriFrom(uriArg);
    if (!uri) { void vscode.window.showWarningMessage('Open a *.bpf.c file to compare its iterator with the real kernel.'); return undefined; }
    const picked = await pickProgram(server, uri, typeof program === 'string' ? program : undefined);
    if (!picked) return undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save(); // clang compiles the file on disk
    const params: CompareKernelParams = { uri: uri.toString(), program: picked.program };
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Comparing with the real kernel', cancellable: true },
      (_p, token) => server.sendRequest(CompareKernelRequest, params, token));
    if (result.identical) {
      void vscode.window.showInformationMessage(`The real kernel printed the same output as the simulated one (${(result.simulated.output ?? '').length} characters).`);
      return result;
    }
    // A kernel that could not be asked is said in one line, and the diff still opens: the simulated side beside
    // that line, so the user sees what the simulator printed and why there is nothing to compare it with.
    if (result.kernel.refused) void vscode.window.showWarningMessage(`Real kernel: ${result.kernel.error?.message ?? 'not available'}`);
    const name = uri.path.split('/').pop() ?? 'program';
    const left = vscode.Uri.from({ scheme: SCHEME, path: `/${name}.simulated.txt` });
    const right = vscode.Uri.from({ scheme: SCHEME, path: `/${name}.kernel.txt` });
    contents.set(left.toString(), sideText(result.simulated));
    contents.set(right.toString(), sideText(result.kernel));
    changed.fire(left);
    changed.fire(right);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${name}: simulated ↔ real kernel`);
    return result;
  }));
}

import * as vscode from 'vscode';

/** `<dir>/hash_dump.bpf.c` -> `<dir>/hash_dump.bpfscenario.json`, the scenario the server looks for first. */
export function scenarioUriFor(source: vscode.Uri): vscode.Uri {
  return source.with({ path: source.path.replace(/\.bpf\.c$/, '') + '.bpfscenario.json' });
}

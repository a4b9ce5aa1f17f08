/** Extensions that already report C syntax errors; bpf-iter-lab stays quiet about plain C next to them. */
export const OTHER_C_EXTENSIONS = ['llvm-vs-code-extensions.vscode-clangd', 'ms-vscode.cpptools'] as const;

/**
 * Whether our server should report plain C syntax errors. Two squiggles for one missing `;` would be noise,
 * so with clangd or C/C++ installed we report them only when the user asks for both.
 */
export function shouldReportCSyntaxErrors(installedExtensionIds: readonly string[], reportAlongsideOthers: boolean): boolean {
  const lower = new Set(installedExtensionIds.map((id) => id.toLowerCase()));
  const otherPresent = OTHER_C_EXTENSIONS.some((id) => lower.has(id));
  return !otherPresent || reportAlongsideOthers;
}

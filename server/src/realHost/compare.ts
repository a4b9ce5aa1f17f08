/**
 * The simulated kernel and the real one, side by side: one file, one scenario, both runs. The simulated run is the
 * one `bpf-iter run` makes (with this host's CPU count, so per-CPU layouts match); the real run is kernelRun.ts.
 * Without a scenario file (beside the program or given) both sides run on a system with only the program's maps:
 * the embedded default system is imaginary and cannot be made on a real kernel.
 */
import { bareScenario } from '../exec/scenario';
import { runIterator, RunOutcome } from '../exec/runner';
import { LanguageService, Settings } from '../service/languageService';
import type { Analysis } from '../service/analysis';
import { createNodeHost } from '../service/host';
import { CommandRunner, hostPossibleCpus, spawnRunner } from './hostTools';
import { KernelSideResult, runOnRealKernel } from './kernelRun';

export interface CompareOptions { scenario?: string; program?: string; map?: string; run?: CommandRunner; unavailable?: (tools: string[]) => string | null }

export interface KernelComparison {
  simulated: RunOutcome;
  kernel: KernelSideResult;
  /** Both ran without error and printed the same bytes. */
  identical: boolean;
  /** The scenario file both sides used, or undefined for a system with only the program's maps. */
  scenarioPath?: string;
}

export async function compareWithKernel(service: LanguageService, settings: Settings, file: string, text: string, options: CompareOptions): Promise<KernelComparison> {
  const { analysis, scenario: resolved } = service.analyze(file, text, { scenario: options.scenario, map: options.map });
  const scenario = resolved.path ? resolved.scenario : bareScenario();
  const cpus = hostPossibleCpus() ?? settings.cpus ?? scenario.cpus;
  const simulated = await runIterator({
    analysis, scenario, scenarioProblems: resolved.problems, scenarioPath: resolved.path,
    scenarioText: undefined, program: options.program, map: options.map, cpus,
    instructionBudget: settings.instructionBudget, maxOutputBytes: settings.maxOutputBytes, readBytes: (p) => createNodeHost().readBytes?.(p),
  });
  const iterPrograms = analysis.programs.filter((p) => p.target === 'bpf_map' || p.target === 'bpf_map_elem');
  const program = (options.program ? iterPrograms.find((p) => p.name === options.program) : iterPrograms[0]);
  let kernel: KernelSideResult;
  if (resolved.problems.length) {
    kernel = { outputBytes: null, refused: true, error: { errno: 'EINVAL', message: `the scenario has problems (${resolved.problems[0].message}); nothing was created on the real kernel` } };
  } else if (!program) {
    kernel = { outputBytes: null, refused: true, error: { errno: 'ENOENT', message: `no SEC("iter/bpf_map") or SEC("iter/bpf_map_elem") program ${options.program ?? ''} in the file` } };
  } else {
    const attachMap = options.map ?? scenario.attachMap ?? (analysis.lowered.program.maps.length === 1 ? analysis.lowered.program.maps[0].name : undefined);
    kernel = runOnRealKernel({
      file, setup: analysis.setup, scenario, program, programs: objectPrograms(analysis), objectMaps: analysis.lowered.program.maps.map((m) => m.name),
      attachMap, cpus, run: options.run ?? spawnRunner, unavailable: options.unavailable,
      globals: analysis.lowered.program.globals, pinsMaps: analysis.lowered.program.maps.some((m) => m.pinned),
    });
  }
  const identical = !simulated.error && !kernel.error && kernel.outputBytes !== null && Buffer.from(simulated.outputBytes).equals(Buffer.from(kernel.outputBytes));
  return { simulated, kernel, identical, scenarioPath: resolved.path };
}

/**
 * The object's programs in file order, iterators or not: `bpftool iter pin` attaches the object's first program, so a
 * file whose tracepoint comes before its iterator cannot be pinned that way (kernelRun.ts then uses its own loader).
 */
function objectPrograms(analysis: Analysis): Array<{ name: string; target: string }> {
  return analysis.compilation.program.functions.filter((f) => f.section !== undefined && !/^(\.|license$|version$)/.test(f.section))
    .map((f) => ({ name: f.name, target: f.section!.replace(/^iter(\.s)?\//, '') }));
}

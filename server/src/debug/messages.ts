/** Messages between the debug adapter (main thread) and the engine running the iterator (worker thread). */

/** The `bpf-iter` launch configuration. */
export interface LaunchArguments {
  /** The C file holding the SEC("iter/...") program. */
  program: string;
  /** Which SEC("iter/...") function to run; the file's first iterator when absent. */
  programName?: string;
  /** Scenario file; `<name>.bpfscenario.json` beside the program, else the embedded default system. */
  scenario?: string;
  /** The map a bpf_map_elem program is attached to. */
  map?: string;
  cpus?: number;
  stopOnEntry?: boolean;
  includePaths?: string[];
  instructionBudget?: number;
}

export interface SourceBreakpoint { line: number; condition?: string; hitCondition?: string; logMessage?: string }

export type ResumeMode = 'continue' | 'next' | 'stepIn' | 'stepOut';

export type Query =
  | { what: 'stackTrace' }
  | { what: 'scopes'; frameId: number }
  | { what: 'variables'; reference: number }
  | { what: 'evaluate'; expression: string; frameId?: number };

export type ToEngine =
  | { type: 'setBreakpoints'; path: string; breakpoints: SourceBreakpoint[]; reply: number }
  | { type: 'setFunctionBreakpoints'; names: Array<{ name: string; condition?: string }>; reply: number }
  | { type: 'setExceptionFilters'; filters: string[]; seqNums: bigint[]; reply: number }
  | { type: 'start' }
  | { type: 'resume'; mode: ResumeMode }
  | { type: 'pause' }
  | { type: 'terminate' }
  | { type: 'query'; query: Query; reply: number };

export interface StopInfo { reason: 'breakpoint' | 'step' | 'pause' | 'entry' | 'exception' | 'function breakpoint'; description: string; text?: string }

export type FromEngine =
  | { type: 'ready'; error?: string }
  | { type: 'stopped'; stop: StopInfo }
  | { type: 'output'; category: 'stdout' | 'stderr' | 'console'; text: string; path?: string; line?: number }
  | { type: 'reply'; reply: number; body?: unknown; error?: string }
  | { type: 'finished'; exitCode: number };

/** Index of the wake-up word and of the "messages are waiting" word in the shared Int32Array. */
export const WAKE = 0;
export const PENDING = 1;

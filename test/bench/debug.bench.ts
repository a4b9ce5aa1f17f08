/**
 * What debugging costs. Baseline: `bpf-iter run` of examples/hash_dump.bpf.c over a full 64-flow hash map (the fast
 * path, generated JS). Then the same run with the debugger's hooks installed and no breakpoint (the interpreter,
 * a stop check before every statement): the price of a debug session, paid only when debugging.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { runIterator, type RunRequest } from '../../server/src/exec/runner';
import { emptyScenario } from '../../server/src/exec/scenario';
import type { DebugHooks } from '../../server/src/exec/debugHooks';

const FLOWS = 64;

function best(times: number[]): number { return Math.min(...times); }

async function timeRuns(req: RunRequest, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    const result = await runIterator(req);
    if (result.error) throw new Error(`bench run failed: ${result.error.message}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best(times);
}

export async function run(): Promise<void> {
  const file = path.join(__dirname, '../../../examples/hash_dump.bpf.c');
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const { analysis } = service.analyze(file, fs.readFileSync(file, 'utf8'), { map: 'flows' });
  const scenario = emptyScenario();
  // The program's map holds at most 64 flows (max_entries); each gets a distinct 16-byte key.
  scenario.maps.push({
    name: 'flows', path: '/maps/0', flags: 0, btf: false,
    entries: Array.from({ length: FLOWS }, (_, i) => ({ path: `/maps/0/entries/${i}`, key: `0a 00 00 ${i.toString(16).padStart(2, '0')} 0a 00 00 01 39 30 50 00 06 00 00 00`, value: 1000 + i })),
  });
  const base: RunRequest = { analysis, scenario, scenarioProblems: [], map: 'flows', instructionBudget: 1_000_000_000 };
  let statements = 0;
  const neverStop: DebugHooks = { onStatement() { statements++; } };
  await timeRuns(base, 5); // warm-up
  const fast = await timeRuns(base, 30);
  statements = 0;
  const debug = await timeRuns({ ...base, debug: { hooks: neverStop, onInvocation: () => undefined } }, 30);
  console.log(`debug: run hash_dump over ${FLOWS} flows (fast path)  ${fast.toFixed(1)} ms  1.00x (baseline)`);
  console.log(`debug: same run, debugger attached, no breakpoints  ${debug.toFixed(1)} ms  ${(debug / fast).toFixed(2)}x  (${statements / 30} hook calls a run)`);
}

if (require.main === module) void run();

/**
 * Checker cost on the shapes that drive it: straight-line code (baseline), a per-CPU loop, nested loops, and a
 * call chain. Prints each as a ratio of the baseline measured in the same run.
 */
import { checkIterProgram } from '../../server/src/lang/checker';
import type { IrProgram, Stmt } from '../../server/src/lang/ir';
import { S32 } from '../../server/src/lang/ir';
import {
  c, ld, local, assign, add, isNull, or, if_, ret, decl, expr, program, K, V, U32, U64, bin, loop, helper, seq,
} from '../unit/checker/irBuilders';

const guard = (): Stmt[] => [decl(1, K()), decl(2, V()), if_(or(isNull(local(1)), isNull(local(2))), ret(c(0)))];
const counted = (id: number, n: number, body: Stmt): Stmt => loop({ init: decl(id, c(0)), test: bin('lt', local(id, S32), c(n)),
  update: assign(id, bin('add', local(id, S32), c(1)), S32), body });
const locals = [{ id: 1 }, { id: 2 }, { id: 3, type: S32 }, { id: 4, type: S32 }, { id: 5, type: S32 }];

function straightLine(): IrProgram {
  const body: Stmt[] = [...guard()];
  for (let i = 0; i < 40; i++) body.push(expr(ld(local(2), (i % 8) * 4, U32)), expr(helper('bpf_seq_write', 127, [seq(), local(1), c(4)])));
  return program({ locals, body: [...body, ret(c(0))] });
}

function perCpuLoop(): IrProgram {
  return program({ locals, body: [...guard(), counted(3, 64, expr(ld(add(local(2), local(3, S32), 8), 0, U32))), ret(c(0))] });
}

function nestedLoops(): IrProgram {
  return program({ locals, body: [...guard(),
    counted(3, 8, counted(4, 8, counted(5, 8, expr(ld(add(local(2), bin('add', local(3, S32), local(4, S32), S32), 8), 0, U64))))), ret(c(0))] });
}

function time(ir: IrProgram, rounds: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) checkIterProgram(ir, 0, { target: 'bpf_map_elem', cpus: 64, gplCompatible: true });
  return Number(process.hrtime.bigint() - start) / rounds;
}

export async function run(): Promise<void> {
  const rounds = 50;
  const baseline = time(straightLine(), rounds);
  console.log(`checker: straight-line 80 accesses (baseline) ${(baseline / 1e6).toFixed(3)} ms/check`);
  for (const [name, ir] of [['per-CPU loop, 64 CPUs', perCpuLoop()], ['three nested loops of 8', nestedLoops()]] as const) {
    const t = time(ir, rounds);
    console.log(`checker: ${name} ${(t / baseline).toFixed(2)}x baseline (${(t / 1e6).toFixed(3)} ms/check)`);
  }
}

if (require.main === module) void run();

/** Function designators as values: sema (C11 6.3.2.1 decay in a condition) and lowering (funcAddr / NULL). */
import * as assert from 'assert';
import { compileFile } from '../../../server/src/lang/compile';
import { createMemoryHost } from '../../../server/src/service/host';
import { lowerProgram } from '../../../server/src/lang/lower';
import type { Expr, IrProgram, Stmt } from '../../../server/src/lang/ir';
import { forEachChild, forEachStmtChild } from '../../../server/src/lang/irWalk';

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym __weak;
extern s64 bpf_kfunc_nobody_has(const struct bpf_map *map) __ksym __weak;
static long cb(__u32 i, void *data) { return 0; }
SEC("iter/bpf_map")
int p(struct bpf_iter__bpf_map *ctx)
{
	__u64 n = 0;
	if (bpf_map_sum_elem_count && !bpf_kfunc_nobody_has)
		n = 1;
	bpf_loop(2, cb, &n, 0);
	return 0;
}
`;

function funcValues(ir: IrProgram): Expr[] {
  const found: Expr[] = [];
  const visitExpr = (e: Expr): void => { if (e.op === 'funcAddr') found.push(e); forEachChild(e, visitExpr); };
  const visitStmt = (s: Stmt): void => forEachStmtChild(s, visitStmt, visitExpr);
  for (const f of ir.functions) visitStmt(f.body);
  return found;
}

describe('function designators as values', () => {
  const file = '/virtual/fv.bpf.c';
  const compilation = compileFile(file, SOURCE, createMemoryHost({ [file]: SOURCE }));

  it('sema accepts a function in a condition and as a helper argument (no BPF1220)', () => {
    assert.deepStrictEqual(compilation.diagnostics.map((d) => `${d.code} ${d.message}`), []);
  });

  it('lowers a static function to its subprogram, a kfunc the kernel has to its address, a weak one it lacks to NULL', () => {
    const lowered = lowerProgram(compilation, {} as never);
    assert.deepStrictEqual(lowered.diagnostics.map((d) => d.message), []);
    const values = funcValues(lowered.program).map((e) => (e.op === 'funcAddr' ? e.target : undefined));
    assert.deepStrictEqual(values, [
      { kind: 'kfunc', name: 'bpf_map_sum_elem_count' },
      { kind: 'subprog', func: lowered.functionIndex.get('cb') },
    ]);
  });
});

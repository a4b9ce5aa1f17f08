/**
 * Tail recursion made a loop, as clang -O2 does before the BPF backend sees the function (LLVM's TailCallElim pass):
 * `return f(n - 1, acc * n)` becomes "assign the parameters, go to the top", and `return 1 + f(v / 10)` (an
 * associative and commutative operator with the call as one operand: LLVM's accumulator recursion elimination) the
 * same with the other operand added to an accumulator that every other `return` combines with its value. The object
 * then has no call of the function by itself, so the verifier sees a loop, never recursion (measured with clang 14:
 * `fact(5, 1)` and `digits(12345)` are folded to constants, `digits(map->id)` is a loop the verifier cannot bound).
 * Without this the checker and a run saw a recursive call, which the verifier refuses (`BPF2024`): a false error.
 *
 * Only the shapes LLVM certainly transforms are: every call of the function by itself is such a tail call (else the
 * recursion stays and so does the error), and the function has no stack objects (a local whose address is taken or an
 * aggregate: LLVM keeps a call that may see the caller's frame).
 */

import { forEachNode, someExpr } from '../irWalk';
import type { BinaryOp, Expr, IntType, IrFunction, Local, Loc, Stmt } from '../ir';

/** The operators LLVM accumulates over (associative and commutative), with their identities. */
const ACCUMULATING: ReadonlyMap<BinaryOp, (type: IntType) => bigint> = new Map<BinaryOp, (type: IntType) => bigint>([
  ['add', () => 0n], ['or', () => 0n], ['xor', () => 0n], ['mul', () => 1n],
  ['and', (type) => (type.signed ? -1n : (1n << BigInt(type.bits)) - 1n)],
]);

type SelfCall = Extract<Expr, { op: 'call' }>;

/** A tail call of the function by itself: its arguments, and for an accumulating one the operator and other operand. */
interface TailCall { call: SelfCall; accumulate?: { op: BinaryOp; operand: Expr; callFirst: boolean } }

/**
 * `fn` with its tail recursion made a loop, or `fn` itself when it has none or a shape this does not transform.
 * `newLabel` gives a jump label no other loop of the function has.
 */
export function eliminateTailRecursion(fn: IrFunction, newLabel: () => number): IrFunction {
  const isSelfCall = (e: Expr | undefined): e is SelfCall => e?.op === 'call' && e.func === fn.index;
  let selfCalls = 0;
  forEachNode(fn.body, () => undefined, (e) => { if (isSelfCall(e)) selfCalls++; });
  if (selfCalls === 0 || fn.slots.length > 0) return fn;

  const returnType = fn.returnType.kind === 'int' ? fn.returnType : undefined;
  /** The tail call a `return`'s value makes, undefined when it makes none. */
  const tailCallOf = (value: Expr | undefined): TailCall | undefined => {
    if (isSelfCall(value)) return { call: value };
    if (value?.op !== 'binary' || !ACCUMULATING.has(value.kind) || !returnType || !sameIntType(value.type, returnType)) return undefined;
    if (isSelfCall(value.right) && !containsSelfCall(value.left)) return { call: value.right, accumulate: { op: value.kind, operand: value.left, callFirst: false } };
    if (isSelfCall(value.left) && !containsSelfCall(value.right)) return { call: value.left, accumulate: { op: value.kind, operand: value.right, callFirst: true } };
    return undefined;
  };
  const containsSelfCall = (e: Expr): boolean => someExpr(e, isSelfCall);

  // First pass: find the tail calls (by their statements) and make sure they are all the calls there are.
  const sites = new Map<Stmt, TailCall>();
  let accumulateOp: BinaryOp | undefined;
  let shapeRefused = false;
  const note = (s: Stmt, site: TailCall): void => {
    if (site.accumulate) {
      if (accumulateOp !== undefined && accumulateOp !== site.accumulate.op) shapeRefused = true;
      accumulateOp = site.accumulate.op;
    }
    sites.set(s, site);
  };
  const findSites = (s: Stmt, tail: boolean): void => {
    switch (s.op) {
      case 'return': { const site = tailCallOf(s.value); if (site) note(s, site); return; }
      case 'expr': if (tail && fn.returnType.kind === 'void' && isSelfCall(s.expr)) note(s, { call: s.expr }); return;
      case 'block':
        s.body.forEach((item, i) => {
          const next = s.body[i + 1];
          // `f(x); return;` in a void function is a tail call wherever it stands
          const beforeReturn = next?.op === 'return' && next.value === undefined;
          findSites(item, beforeReturn || (tail && i === s.body.length - 1));
        });
        return;
      case 'if': findSites(s.then, tail); if (s.else) findSites(s.else, tail); return;
      case 'loop': if (s.init) findSites(s.init, false); findSites(s.body, false); return;
      case 'switch': s.cases.forEach((c) => c.body.forEach((item) => findSites(item, false))); return;
      default: return;
    }
  };
  findSites(fn.body, true);
  if (shapeRefused || sites.size !== selfCalls) return fn;

  // Second pass: the loop. Each tail call evaluates its arguments (and the accumulated operand) in C's order, then
  // assigns the parameters and goes round; every other return gives back its value combined with the accumulator.
  const locals: Local[] = fn.locals.slice();
  const newLocal = (name: string, template: Local | undefined, type: IntType | Local['type'], loc: Loc): number => {
    const id = locals.length;
    locals.push({ id, name, cType: template?.cType ?? typeName(type), type, isParam: false, loc });
    return id;
  };
  const label = newLabel();
  const accumulatorType = accumulateOp !== undefined ? returnType! : undefined;
  const accumulator = accumulatorType ? newLocal('<accumulated result>', undefined, accumulatorType, fn.loc) : undefined;
  const readAccumulator = (loc: Loc): Expr => ({ op: 'local', id: accumulator!, type: accumulatorType!, loc });

  const jump = (s: Stmt, site: TailCall): Stmt => {
    const loc = site.call.loc;
    const body: Stmt[] = [];
    const args = fn.params.map((_, i) => site.call.args[i]);
    const accumulate = (operand: Expr): void => {
      const value: Expr = { op: 'binary', kind: site.accumulate!.op, left: readAccumulator(loc), right: operand, type: accumulatorType!, loc };
      body.push({ op: 'expr', expr: { op: 'assign', id: accumulator!, value, type: accumulatorType!, loc }, loc });
    };
    const assignParam = (i: number, value: Expr): void => {
      const type = locals[fn.params[i]]?.type;
      if (type) body.push({ op: 'expr', expr: { op: 'assign', id: fn.params[i], value, type, loc }, loc });
    };
    const pure = [...args, site.accumulate?.operand].every((e) => e === undefined || !hasSideEffects(e));
    if (pure) {
      // `n = n - 1` as clang's loop has it, which the checker's loop bound analysis reads as a counter's step
      if (site.accumulate) accumulate(site.accumulate.operand);
      const pending = new Map<number, Expr>();
      args.forEach((arg, i) => { if (arg) pending.set(i, arg); });
      const readers = (i: number): boolean => [...pending].some(([j, arg]) => j !== i && reads(arg, fn.params[i]));
      while (pending.size > 0) {
        const free = [...pending.keys()].find((i) => !readers(i));
        if (free !== undefined) {
          assignParam(free, pending.get(free)!);
          pending.delete(free);
          continue;
        }
        // parameters that read each other (`f(b, a + b)`): the first one's old value kept aside for the others
        const [first] = pending.keys();
        const param = fn.params[first];
        const own = locals[param];
        const old = newLocal(`<previous ${own?.name ?? `argument ${first}`}>`, own, own?.type, loc);
        body.push({ op: 'declare', id: old, init: { op: 'local', id: param, type: own!.type!, loc }, loc });
        for (const [j, arg] of pending) if (j !== first) pending.set(j, withLocal(arg, param, old));
      }
    } else {
      // arguments with side effects, or parameters that read each other in a cycle: each value computed first, in C's order
      let operand: number | undefined;
      const evaluateOperand = (): void => {
        if (!site.accumulate) return;
        operand = newLocal('<accumulated operand>', undefined, accumulatorType, site.accumulate.operand.loc);
        body.push({ op: 'declare', id: operand, init: site.accumulate.operand, loc });
      };
      if (site.accumulate && !site.accumulate.callFirst) evaluateOperand();
      const nextValues = fn.params.map((param, i) => {
        const own = fn.locals[param];
        const id = newLocal(`<next ${own?.name ?? `argument ${i}`}>`, own, own?.type, loc);
        body.push({ op: 'declare', id, ...(args[i] ? { init: args[i] } : {}), loc });
        return id;
      });
      if (site.accumulate?.callFirst) evaluateOperand();
      if (operand !== undefined) accumulate({ op: 'local', id: operand, type: accumulatorType!, loc });
      fn.params.forEach((param, i) => {
        const type = locals[param]?.type;
        if (type) assignParam(i, { op: 'local', id: nextValues[i], type, loc });
      });
    }
    body.push({ op: 'continue', label, loc });
    return { op: 'block', body, loc: s.loc };
  };
  const rewrite = (s: Stmt): Stmt => {
    const site = sites.get(s);
    if (site) return jump(s, site);
    switch (s.op) {
      case 'return':
        if (accumulator === undefined || !s.value) return s;
        return { ...s, value: { op: 'binary', kind: accumulateOp!, left: readAccumulator(s.loc), right: s.value, type: accumulatorType!, loc: s.value.loc } };
      case 'block': return { ...s, body: s.body.map(rewrite) };
      case 'if': return { ...s, then: rewrite(s.then), ...(s.else ? { else: rewrite(s.else) } : {}) };
      case 'loop': return { ...s, ...(s.init ? { init: rewrite(s.init) } : {}), body: rewrite(s.body) };
      case 'switch': return { ...s, cases: s.cases.map((c) => ({ ...c, body: c.body.map(rewrite) })) };
      default: return s;
    }
  };
  const loc = fn.body.loc;
  // the body ends as before: falling out of it leaves the loop, then the function
  // (the body's statements stand in the loop's own block, where the checker looks for its exits: `if (n <= 1) return`)
  const rewritten = rewrite(fn.body);
  const statements = rewritten.op === 'block' ? rewritten.body : [rewritten];
  const loop: Stmt = { op: 'loop', body: { op: 'block', body: [...statements, { op: 'break', label, loc }], loc }, testFirst: true, label, loc };
  const body: Stmt[] = [];
  if (accumulator !== undefined) body.push({ op: 'declare', id: accumulator, init: { op: 'const', type: accumulatorType!, value: ACCUMULATING.get(accumulateOp!)!(accumulatorType!), loc }, loc });
  body.push(loop);
  return { ...fn, locals, body: { op: 'block', body, loc } };
}

/** Whether `e` reads the local `id`. */
function reads(e: Expr, id: number): boolean {
  return someExpr(e, (x) => x.op === 'local' && x.id === id);
}

/** `e` reading the local `to` where it read `from` (a pure expression: no assignment of `from` in it). */
function withLocal(e: Expr, from: number, to: number): Expr {
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
    const record = value as Record<string, unknown>;
    if (record.op === 'local' && record.id === from) return { ...record, id: to };
    const out: Record<string, unknown> = {};
    for (const key in record) out[key] = key === 'type' || key === 'loc' ? record[key] : copy(record[key]);
    return out;
  };
  return copy(e) as Expr;
}

/** Whether evaluating `e` may change memory or a local, or call anything. */
function hasSideEffects(e: Expr): boolean {
  return someExpr(e, (x) => x.op === 'assign' || x.op === 'store' || x.op === 'copy' || x.op === 'fill' || x.op === 'call' || x.op === 'callHelper' || x.op === 'stmtExpr');
}

function sameIntType(a: IntType, b: IntType): boolean {
  return a.bits === b.bits && a.signed === b.signed;
}

function typeName(type: Local['type']): string {
  if (type?.kind !== 'int') return 'void *';
  return `${type.signed ? '' : 'unsigned '}${type.bits === 64 ? 'long long' : type.bits === 32 ? 'int' : type.bits === 16 ? 'short' : 'char'}`;
}

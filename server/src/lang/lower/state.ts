/** What every lowering layer shares: the program being built (functions, globals, strings), the current function's locals, stack slots and jump scopes, and reporting. */

import * as ast from '../ast';
import { Compilation, ProgramFunction } from '../compile';
import { AtomicBuiltin } from '../atomics';
import { CSymbol } from '../sema/analyzer';
import { Diagnostics, FrontEndDiagnostic, formatMessage, DiagnosticMessage, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import { CType, sizeOf, alignOf, RecordInfo, typeToString } from '../types';
import { Expr, Stmt, Loc, IrFunction, IrGlobal, Local, StackSlot, IntBits } from '../ir';
import { irScalarType, ptrTo, roundUp, type LowerOptions, type JumpScope } from './irValues';

export abstract class LoweringState {
  // Provided by the layers above (see globals, lvalues, expressions, builtins, statements, index).
  protected abstract typeOf(node: ast.Expression): CType;
  protected abstract rvalue(node: ast.Expression): Expr;
  protected abstract rvalueAs(node: ast.Expression, target: CType): Expr;
  protected abstract expression(node: ast.Expression, discarded: boolean): Expr;
  protected abstract helperIdOf(init: ast.Initializer): number | undefined;
  protected abstract atomicBuiltin(node: ast.CallExpression, name: string, b: AtomicBuiltin, type: CType, discarded: boolean, loc: Loc): Expr;
  protected abstract memoryBuiltin(node: ast.CallExpression, name: string, loc: Loc): Expr;
  protected abstract memoryCompare(node: ast.CallExpression, loc: Loc): Expr;
  protected abstract byteSwap(value: Expr, bits: IntBits, loc: Loc): Expr;
  protected abstract coreRelocation(node: ast.CallExpression, name: string, type: CType, loc: Loc): Expr;
  protected abstract compound(node: ast.CompoundStatement, release?: boolean): Stmt;
  protected abstract initializeMemory(ptr: Expr, offset: number, type: CType, init: ast.Initializer, zeroFirst: boolean): Stmt[];

  protected readonly diagnostics: FrontEndDiagnostic[] = [];
  protected readonly functions: IrFunction[] = [];
  protected readonly functionIndex = new Map<string, number>();
  /** The emitted functions, each at its `functionIndex`: what a call's callee is (its parameters, its return type). */
  protected emittedFunctions: readonly ProgramFunction[] = [];
  protected readonly globals: IrGlobal[] = [];
  protected readonly globalBySymbol = new Map<CSymbol, IrGlobal>();
  protected readonly sectionSizes = new Map<string, number>();
  protected readonly strings: Uint8Array[] = [];
  protected readonly stringIndex = new Map<string, number>();
  protected readonly mapNames = new Set<string>();
  // Per-function state
  protected locals: Local[] = [];
  protected slots: StackSlot[] = [];
  protected localBySymbol = new Map<CSymbol, number>();
  protected addressTaken = new Set<CSymbol>();
  protected stackTop = 0;
  /** The frame's size: the highest stackTop reached (blocks give their slots back when they close). */
  protected stackHigh = 0;
  /** The slots of the open blocks, lowest first. */
  protected liveSlots: number[] = [];
  protected currentFunction?: ProgramFunction;
  /**
   * The local holding where a static function returning a struct or union writes its value: the caller passes
   * the address of a slot of its own frame, as the value lives on the stack once clang has inlined the function.
   */
  protected recordReturnSlot?: number;
  /** The current function's constructs the simulator cannot run (see IrFunction.unsupported). */
  protected unsupported?: Array<{ what: string; loc: Loc }>;
  /** The extern variables the function being lowered has reported (BPF1390 once per function and variable). */
  protected externsReported = new Set<CSymbol>();
  /** What break, continue and goto can leave, innermost last (see gotoRegions.ts). */
  protected jumpScopes: JumpScope[] = [];
  protected nextJumpLabel = 0;
  protected functionHasGoto = false;
  protected functionLabels = new Set<string>();
  /** The operand of the innermost `x == 0`, `x != 0` or condition being lowered (clang inlines more memcmp there). */
  protected zeroTestedCall?: ast.Expression;

  constructor(protected readonly c: Compilation, protected readonly options: LowerOptions) {}

  protected report(message: DiagnosticMessage, node: { file: number; pos: number; end: number }, args: ReadonlyArray<string | number | bigint> = []): void {
    if (message === Diagnostics.UnsupportedConstruct) this.unsupported?.push({ what: String(args[0]), loc: { file: node.file, pos: node.pos, end: node.end } });
    if (this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    this.diagnostics.push({ code: message.code, category: message.category, message: formatMessage(message.message, args), file: node.file, pos: node.pos, end: node.end });
  }

  protected findAddressTaken(body: ast.Node): Set<CSymbol> {
    const out = new Set<CSymbol>();
    ast.walk(body, (node) => {
      if (node.kind === 'Unary' && node.operator === '&') {
        let target: ast.Expression = node.operand;
        // &x.a, &x[1] take the address of x too.
        while (target.kind === 'Member' && !target.arrow) target = target.object;
        while (target.kind === 'Index') target = target.object;
        if (target.kind === 'Identifier') {
          const s = this.c.model.referenceOf(target)?.symbol;
          if (s) out.add(s);
        }
      }
      // `T v __attribute__((cleanup(fn)))`: clang calls fn(&v), so v lives in memory (scx's `__free(cgroup)` pointers)
      if (node.kind === 'Declaration') {
        const onAll = node.specifiers.attributes.some((a) => a.name === 'cleanup');
        for (const d of node.declarators) {
          if (!onAll && !d.declarator.attributes.some((a) => a.name === 'cleanup')) continue;
          const s = d.declarator.name ? this.c.model.referenceOf(d.declarator.name)?.symbol : undefined;
          if (s) out.add(s);
        }
      }
    });
    return out;
  }

  protected newLocal(name: string, type: CType, loc: Loc, isParam: boolean, symbol?: CSymbol): number {
    const id = this.locals.length;
    const scalar = irScalarType(type);
    const local: Local = { id, name, cType: typeToString(type), isParam, loc };
    if (scalar && !(symbol && this.addressTaken.has(symbol))) {
      local.type = scalar;
    } else {
      const size = sizeOf(type) ?? 0;
      const align = Math.max(1, Math.min(8, alignOf(type)));
      // Slots are laid out from the frame's base upwards; the frame is the function's share of the 512-byte stack.
      const offset = roundUp(this.stackTop, align);
      this.stackTop = offset + size;
      this.stackHigh = Math.max(this.stackHigh, this.stackTop);
      const below = this.liveSlots[this.liveSlots.length - 1];
      const slot: StackSlot = { id: this.slots.length, offset, size, align, local: id, ...(below !== undefined ? { below } : {}) };
      this.slots.push(slot);
      this.liveSlots.push(slot.id);
      local.slot = slot.id;
    }
    this.locals.push(local);
    if (symbol) this.localBySymbol.set(symbol, id);
    return id;
  }

  /** Where the frame's top is, to give back the slots of a block once it closes (`releaseStack`). */
  protected stackMark(): { top: number; live: number } { return { top: this.stackTop, live: this.liveSlots.length }; }
  /**
   * A block has closed: later blocks reuse its slots, as clang 14's stack coloring lays out locals whose lifetimes
   * (lifetime.start at the declaration, lifetime.end where the block closes) do not overlap at the same frame offsets
   * (measured: eight BPF_SEQ_PRINTF calls of 12 arguments each keep a 96-byte frame). A function with `goto` keeps
   * every slot: a jump may enter or leave blocks anywhere.
   */
  protected releaseStack(mark: { top: number; live: number }): void {
    if (this.functionHasGoto) return;
    this.stackTop = mark.top;
    this.liveSlots.length = mark.live;
  }

  protected newTemp(type: CType, loc: Loc): number {
    const id = this.locals.length;
    const scalar = irScalarType(type)!;
    this.locals.push({ id, name: `tmp${id}`, cType: typeToString(type), type: scalar, isParam: false, loc });
    return id;
  }

  protected slotAddr(slot: number, type: CType, loc: Loc): Expr {
    return { op: 'addr', base: { kind: 'stack', slot }, type: ptrTo(type), loc };
  }

  protected headerRecords?: Set<RecordInfo>;
}

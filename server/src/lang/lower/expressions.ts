/** Expressions: conversions, operators, assignments, increments and calls, each to IR with explicit types. */

import * as ast from '../ast';
import type { ProgramFunction } from '../compile';
import { atomicBuiltin } from '../atomics';
import { CSymbol } from '../sema/analyzer';
import { Diagnostics } from '../diagnostics';
import { CType, resolve, sizeOf, typeToString, usualArithmeticConversions, promote, Types } from '../types';
import { BinaryOp, Expr, Loc, IntType, PtrType, ScalarType, VOID, U64, S64, S32, IntBits, UNSIMULATED_VALUE, CLANG_CONSTANT_P, wrapTo } from '../ir';
import { clangCompilesSignedDivision } from '../knownBits';
import { helperNameById, isKernelKfunc } from '../checker/helpers';
import { irScalarType, pointeeSize, isBool, isNoinline, locOf, decay, passesRecordByPointer, ptrTo, returnsRecordByHiddenPointer, ARITHMETIC_OPERATORS, type LValue } from './irValues';
import { LValueLowering } from './lvalues';

/**
 * C library functions clang knows as builtins: with a constant size it expands them inline (memcpy, memset...), so
 * no extern is left for libbpf to resolve; a call it cannot expand is clang's own error, not modelled here.
 */
const LIBRARY_BUILTINS: ReadonlySet<string> = new Set(['memcpy', 'memmove', 'memset', 'memcmp', 'bcmp', 'bzero', 'strlen', 'strcmp', 'strncmp', 'strcpy', 'strncpy', 'strchr', 'strrchr', 'abs', 'labs', 'llabs']);

/** clang's absolute-value builtins by their parameter (and result) type: inline code, never a call (measured, clang 14). */
const ABSOLUTE_VALUE_BUILTINS: Readonly<Record<string, CType>> = { __builtin_abs: Types.int, __builtin_labs: Types.long, __builtin_llabs: Types.longLong };

export abstract class ExpressionLowering extends LValueLowering {
  /** inside the arguments of a bpf_rdonly_cast() call: its __builtin_btf_type_id() is no value the run needs */
  protected rdonlyCastArgs = 0;
  // ------------------------------------------------------------------ expressions

  protected typeOf(node: ast.Expression): CType {
    return this.c.typeOf(node) ?? Types.int;
  }

  /** An expression used as a condition: int != 0, or pointer != NULL, as an int 0/1. */
  protected test(node: ast.Expression): Expr {
    this.zeroTestedCall = node;
    const type = this.typeOf(node);
    const scalar = irScalarType(decay(type));
    const loc = locOf(node);
    if (node.kind === 'Unary' && node.operator === '!') {
      return { op: 'unary', kind: 'lnot', operand: this.test(node.operand), type: S32, loc };
    }
    // `if (unlikely(!map))`: __builtin_expect returns its first argument (as a long, which keeps zero and
    // non-zero apart), so the branch tests that argument and a NULL check inside it counts as one
    if (node.kind === 'Call' && node.callee.kind === 'Identifier' && node.args[0]
      && (node.callee.name === '__builtin_expect' || node.callee.name === '__builtin_expect_with_probability')) {
      return this.test(node.args[0]);
    }
    const value = this.rvalue(node);
    if (scalar?.kind === 'ptr') return { op: 'ptrCompare', kind: 'ne', left: value, right: { op: 'null', type: scalar, loc }, type: S32, loc };
    if (isComparison(node)) return value;
    const intType = (scalar as IntType | undefined) ?? S32;
    return { op: 'binary', kind: 'ne', left: value, right: { op: 'const', type: intType, value: 0n, loc }, type: S32, loc };
  }

  /** Evaluates and converts to `target`. */
  protected rvalueAs(node: ast.Expression, target: CType): Expr {
    return this.convert(this.rvalue(node), this.typeOf(node), target, locOf(node));
  }

  protected convert(value: Expr, from: CType, to: CType, loc: Loc): Expr {
    const f = irScalarType(decay(from));
    const t = irScalarType(to);
    if (!t || !f) return value;
    if (t.kind === 'int' && isBool(to)) {
      if (f.kind === 'ptr') return { op: 'convert', operand: { op: 'ptrCompare', kind: 'ne', left: value, right: { op: 'null', type: f, loc }, type: S32, loc }, type: t, loc };
      return { op: 'convert', operand: { op: 'binary', kind: 'ne', left: value, right: { op: 'const', type: f, value: 0n, loc }, type: S32, loc }, type: t, loc };
    }
    if (t.kind === 'int' && f.kind === 'int') {
      if (t.bits === f.bits && t.signed === f.signed) return value;
      if (value.op === 'const') return { op: 'const', type: t, value: wrapTo(value.value, t), loc: value.loc };
      return { op: 'convert', operand: value, type: t, loc };
    }
    if (t.kind === 'ptr' && f.kind === 'ptr') return value.type.kind === 'ptr' && value.type.cName === t.cName ? value : { op: 'ptrCast', operand: value, type: t, loc };
    if (t.kind === 'ptr' && f.kind === 'int') {
      if (value.op === 'const' && value.value === 0n) return { op: 'null', type: t, loc };
      return { op: 'intToPtr', operand: value.type.kind === 'int' && value.type.bits === 64 ? value : { op: 'convert', operand: value, type: U64, loc }, type: t, loc };
    }
    // pointer -> integer
    const asInt: Expr = { op: 'ptrToInt', operand: value, type: U64, loc };
    if (t.kind !== 'int') return asInt;
    return t.bits === 64 && !t.signed ? asInt : { op: 'convert', operand: asInt, type: t, loc };
  }

  /** The value of an expression (arrays and functions decay to pointers). */
  protected rvalue(node: ast.Expression): Expr {
    return this.expression(node, false);
  }

  protected expression(node: ast.Expression, discarded: boolean): Expr {
    const loc = locOf(node);
    const type = this.typeOf(node);
    // clang lowers __int128 to pairs of 64-bit registers; the simulator has no 128-bit values, and a result computed
    // from a truncated one would be silently wrong
    const resolved = resolve(type);
    if (resolved.kind === 'int' && resolved.size > 8 && node.kind !== 'Sizeof' && node.kind !== 'Offsetof' && node.kind !== 'TypesCompatible') {
      this.report(Diagnostics.UnsupportedConstruct, node, ['128-bit integer arithmetic']);
      return { op: 'callHelper', name: UNSIMULATED_VALUE, helperId: -3, args: [], type: U64, loc };
    }
    switch (node.kind) {
      case 'IntegerLiteral': case 'CharLiteral': {
        const t = (irScalarType(type) as IntType | undefined) ?? S32;
        return { op: 'const', type: t, value: wrapTo(node.value, t), loc };
      }
      case 'StringLiteral': return this.stringLiteral(node);
      case 'Identifier': {
        const symbol = this.c.model.referenceOf(node)?.symbol;
        if (symbol?.kind === 'enumerator') {
          const t = (irScalarType(type) as IntType | undefined) ?? S32;
          return { op: 'const', type: t, value: wrapTo(symbol.value ?? 0n, t), loc };
        }
        if (symbol?.kind === 'variable' && !this.localBySymbol.has(symbol) && !this.globalBySymbol.has(symbol)) {
          const folded = this.foldedConstant(symbol);
          const scalar = irScalarType(type);
          if (folded !== undefined && scalar?.kind === 'int') return { op: 'const', type: scalar, value: wrapTo(folded, scalar), loc };
        }
        if (symbol?.kind === 'function') return this.functionValue(symbol, loc);
        return this.loadLValue(this.lvalue(node), loc);
      }
      case 'Member': case 'Index':
        return this.loadLValue(this.lvalue(node), loc);
      case 'Unary': return this.unary(node, type, discarded);
      case 'Postfix': return this.increment(node.operand, node.operator === '++' ? 'add' : 'sub', true, loc, discarded);
      case 'Binary': return this.binary(node, type);
      case 'Assignment': return this.assignment(node);
      case 'Conditional': {
        const scalar = irScalarType(decay(type));
        if (!scalar) {
          this.report(Diagnostics.UnsupportedConstruct, node, ['a conditional expression of aggregate type']);
          return { op: 'const', type: S32, value: 0n, loc };
        }
        const whenTrue = node.whenTrue ? this.rvalueAs(node.whenTrue, type) : this.rvalueAs(node.condition, type);
        return { op: 'conditional', test: this.test(node.condition), then: whenTrue, else: this.rvalueAs(node.whenFalse, type), type: scalar, loc };
      }
      case 'Comma': {
        let result = this.expression(node.expressions[0], true);
        for (let i = 1; i < node.expressions.length; i++) {
          const next = this.expression(node.expressions[i], discarded || i < node.expressions.length - 1);
          result = { op: 'sequence', first: result, second: next, type: next.type, loc };
        }
        return result;
      }
      case 'Call': return this.call(node, type, discarded);
      case 'Cast': {
        const target = this.c.typeOf(node) ?? Types.int;
        if (resolve(target).kind === 'void') return this.expression(node.operand, true);
        return this.convert(this.rvalue(node.operand), this.typeOf(node.operand), target, loc);
      }
      case 'Sizeof': case 'Offsetof': case 'TypesCompatible': {
        const value = this.c.model.evaluate(node) ?? 0n;
        const t = (irScalarType(type) as IntType | undefined) ?? U64;
        return { op: 'const', type: t, value: wrapTo(value, t), loc };
      }
      case 'StatementExpression': {
        const items = node.body.items;
        const last = items[items.length - 1];
        if (last && last.kind === 'ExpressionStatement' && last.expression && irScalarType(decay(type))) {
          // the value is the block's last statement: its locals stay until it is lowered
          const mark = this.stackMark();
          const body = this.compound({ ...node.body, items: items.slice(0, -1) }, false);
          const value = this.rvalue(last.expression);
          this.releaseStack(mark);
          return { op: 'stmtExpr', body, value, type: irScalarType(decay(type))!, loc };
        }
        return { op: 'stmtExpr', body: this.compound(node.body), type: VOID, loc };
      }
      case 'CompoundLiteral': {
        const id = this.newLocal('compound literal', type, loc, false);
        const slot = this.locals[id].slot;
        if (slot === undefined) {
          const init = node.initializer.items[0]?.value;
          return init && init.kind !== 'InitializerList' ? this.rvalueAs(init, type) : this.zeroOf(irScalarType(type)!, loc);
        }
        const addr = this.slotAddr(slot, type, loc);
        const stmts = this.initializeMemory(addr, 0, type, node.initializer, true);
        return { op: 'stmtExpr', body: { op: 'block', body: stmts, loc }, value: addr, type: addr.type, loc };
      }
      case 'Generic': {
        // clang selects the association at compile time: only the chosen expression is code
        const selected = this.c.model.genericSelection(node);
        if (selected) return this.expression(selected, discarded);
        this.report(Diagnostics.UnsupportedConstruct, node, ['_Generic']);
        return this.zeroOf(irScalarType(type) ?? S32, loc);
      }
      case 'VaArg': case 'FloatLiteral':
        this.report(Diagnostics.UnsupportedConstruct, node, [node.kind === 'FloatLiteral' ? 'floating point' : node.kind === 'VaArg' ? 'va_arg' : '_Generic']);
        return { op: 'const', type: S32, value: 0n, loc };
      default:
        return { op: 'const', type: S32, value: 0n, loc };
    }
  }

  protected zeroOf(type: ScalarType, loc: Loc): Expr {
    return type.kind === 'ptr' ? { op: 'null', type, loc } : { op: 'const', type, value: 0n, loc };
  }

  protected unary(node: ast.UnaryExpression, type: CType, discarded: boolean): Expr {
    const loc = locOf(node);
    switch (node.operator) {
      case '&': {
        const addr = this.addressOfExpression(node.operand);
        return addr ?? { op: 'null', type: ptrTo(this.typeOf(node.operand)), loc };
      }
      case '*': return this.loadLValue(this.lvalue(node), loc);
      case '++': case '--': return this.increment(node.operand, node.operator === '++' ? 'add' : 'sub', false, loc, discarded);
      case '!': return { op: 'unary', kind: 'lnot', operand: this.test(node.operand), type: S32, loc };
      case '+': return this.rvalueAs(node.operand, type);
      case '-': case '~': {
        const t = (irScalarType(type) as IntType | undefined) ?? S32;
        return { op: 'unary', kind: node.operator === '-' ? 'neg' : 'not', operand: this.rvalueAs(node.operand, type), type: t, loc };
      }
      case '__extension__': case '__real__': return this.expression(node.operand, discarded);
      default:
        this.report(Diagnostics.UnsupportedConstruct, node, [`the ${node.operator} operator`]);
        return { op: 'const', type: S32, value: 0n, loc };
    }
  }

  protected binary(node: ast.BinaryExpression, type: CType): Expr {
    const loc = locOf(node);
    const op = node.operator;
    if ((op === '==' || op === '!=') && (this.c.model.evaluate(node.left) === 0n || this.c.model.evaluate(node.right) === 0n)) {
      this.zeroTestedCall = this.c.model.evaluate(node.left) === 0n ? node.right : node.left;
    }
    if (op === '&&' || op === '||') {
      return { op: 'logical', kind: op === '&&' ? 'and' : 'or', left: this.test(node.left), right: this.test(node.right), type: S32, loc };
    }
    const lt = decay(this.typeOf(node.left));
    const rt = decay(this.typeOf(node.right));
    const lp = resolve(lt).kind === 'pointer';
    const rp = resolve(rt).kind === 'pointer';
    if (lp || rp) return this.pointerBinary(node, lt, rt, type);
    const cmp: Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
    if (op in cmp) {
      const common = usualArithmeticConversions(lt, rt);
      return { op: 'binary', kind: cmp[op], left: this.rvalueAs(node.left, common), right: this.rvalueAs(node.right, common), type: S32, loc };
    }
    const kind = Object.hasOwn(ARITHMETIC_OPERATORS, op) ? ARITHMETIC_OPERATORS[op] : undefined;
    const t = (irScalarType(type) as IntType | undefined) ?? S32;
    if (!kind) return { op: 'const', type: t, value: 0n, loc };
    if (kind === 'shl' || kind === 'shr') {
      // The right operand is promoted on its own; the IR takes the count as the result type.
      return { op: 'binary', kind, left: this.rvalueAs(node.left, type), right: this.rvalueAs(node.right, type), type: t, loc };
    }
    return this.arithmetic(kind, this.rvalueAs(node.left, type), this.rvalueAs(node.right, type), t, loc);
  }

  /** An arithmetic binary expression; a signed division clang may refuse is marked for the checker. */
  protected arithmetic(kind: BinaryOp, left: Expr, right: Expr, type: IntType, loc: Loc): Expr {
    const unproven = (kind === 'div' || kind === 'rem') && type.signed && (this.options.cpu ?? 'v1') !== 'v4' && !clangCompilesSignedDivision(left, right);
    return { op: 'binary', kind, left, right, type, loc, ...(unproven ? { signedDivisionUnproven: true as const } : {}) };
  }

  protected pointerBinary(node: ast.BinaryExpression, lt: CType, rt: CType, type: CType): Expr {
    const loc = locOf(node);
    const op = node.operator;
    const lp = resolve(lt).kind === 'pointer';
    const rp = resolve(rt).kind === 'pointer';
    const cmp: Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
    if (op in cmp) {
      const ptrType = lp ? lt : rt;
      const left = lp ? this.rvalue(node.left) : this.convert(this.rvalue(node.left), lt, ptrType, loc);
      const right = rp ? this.rvalue(node.right) : this.convert(this.rvalue(node.right), rt, ptrType, loc);
      return { op: 'ptrCompare', kind: cmp[op], left, right, type: S32, loc };
    }
    if (op === '-' && lp && rp) {
      const scale = pointeeSize((resolve(lt) as { to: CType }).to);
      return { op: 'ptrDiff', left: this.rvalue(node.left), right: this.rvalue(node.right), scale, type: S64, loc };
    }
    if ((op === '+' || op === '-') && (lp !== rp)) {
      const ptrNode = lp ? node.left : node.right;
      const intNode = lp ? node.right : node.left;
      const ptrType = lp ? lt : rt;
      const scale = pointeeSize((resolve(ptrType) as { to: CType }).to);
      let index = this.rvalueAs(intNode, Types.long);
      if (op === '-') index = { op: 'unary', kind: 'neg', operand: index, type: S64, loc };
      return { op: 'ptrAdd', ptr: this.rvalue(ptrNode), index, scale, type: irScalarType(type) as PtrType ?? irScalarType(ptrType) as PtrType, loc };
    }
    // Bitwise operations on pointers are not C; sema reported them.
    return { op: 'const', type: S32, value: 0n, loc };
  }

  /** `|operand|` in `type` (the builtin's parameter type): the operand evaluated once into a temp. */
  protected absoluteValue(operand: ast.Expression, type: CType, loc: Loc): Expr {
    const scalar = irScalarType(type) as IntType;
    const temp = this.newTemp(type, loc);
    const value: Expr = { op: 'local', id: temp, type: scalar, loc };
    const zero: Expr = { op: 'const', type: scalar, value: 0n, loc };
    return {
      op: 'sequence', first: { op: 'assign', id: temp, value: this.rvalueAs(operand, type), type: scalar, loc }, type: scalar, loc,
      second: { op: 'conditional', test: { op: 'binary', kind: 'lt', left: value, right: zero, type: S32, loc }, then: { op: 'unary', kind: 'neg', operand: value, type: scalar, loc }, else: value, type: scalar, loc },
    };
  }

  /** `target = &name` for a global variable or map of the program, `target` a pointer; undefined otherwise. */
  protected registerAddressOf(target: ast.Expression, name: string, loc: Loc): Expr | undefined {
    const lvalue = this.lvalue(target);
    const scalar = irScalarType(decay(lvalue.type));
    if (scalar?.kind !== 'ptr') return undefined;
    let base: Expr | undefined;
    for (const [symbol, g] of this.globalBySymbol) {
      if (symbol.name === name && symbol.fileScope) base = { op: 'addr', base: { kind: 'global', section: g.section, offset: g.offset, name: g.name }, type: scalar, loc };
    }
    if (!base && this.mapNames.has(name)) base = { op: 'addr', base: { kind: 'map', name }, type: scalar, loc };
    return base && this.storeLValue(lvalue, base, loc);
  }

  protected assignment(node: ast.AssignmentExpression): Expr {
    const loc = locOf(node);
    const target = this.lvalue(node.left);
    const targetType = target.type;
    const rt = resolve(targetType);
    if (node.operator === '=') {
      if (rt.kind === 'record' || rt.kind === 'array') {
        const src = this.addressOfExpression(node.right);
        const dst = this.addressOf(target, loc);
        if (!src || !dst) return { op: 'const', type: S32, value: 0n, loc };
        return { op: 'copy', dst, src, size: sizeOf(targetType) ?? 0, type: VOID, loc };
      }
      return this.storeLValue(target, this.rvalueAs(node.right, targetType), loc);
    }
    // Compound assignment: the target is evaluated once (a temp holds its address).
    const binaryOp = node.operator.slice(0, -1);
    const stable = this.stabilize(target, loc);
    const current = this.loadLValue(stable.lvalue, loc);
    const leftType = decay(targetType);
    let result: Expr;
    if (resolve(leftType).kind === 'pointer' && (binaryOp === '+' || binaryOp === '-')) {
      const scale = pointeeSize((resolve(leftType) as { to: CType }).to);
      let index = this.rvalueAs(node.right, Types.long);
      if (binaryOp === '-') index = { op: 'unary', kind: 'neg', operand: index, type: S64, loc };
      result = { op: 'ptrAdd', ptr: current, index, scale, type: irScalarType(leftType) as PtrType, loc };
    } else {
      const rightType = this.typeOf(node.right);
      const isShift = binaryOp === '<<' || binaryOp === '>>';
      const common = isShift ? promote(leftType) : usualArithmeticConversions(leftType, rightType);
      const ct = (irScalarType(common) as IntType | undefined) ?? S32;
      const combined = this.arithmetic(ARITHMETIC_OPERATORS[binaryOp] ?? 'add', this.convert(current, leftType, common, loc), this.rvalueAs(node.right, common), ct, loc);
      result = this.convert(combined, common, targetType, loc);
    }
    const store = this.storeLValue(stable.lvalue, result, loc);
    return stable.setup ? { op: 'sequence', first: stable.setup, second: store, type: store.type, loc } : store;
  }

  protected increment(operand: ast.Expression, kind: 'add' | 'sub', postfix: boolean, loc: Loc, discarded: boolean): Expr {
    const target = this.lvalue(operand);
    const stable = this.stabilize(target, loc);
    const type = decay(target.type);
    const scalar = irScalarType(type);
    if (!scalar) return { op: 'const', type: S32, value: 0n, loc };
    const current = this.loadLValue(stable.lvalue, loc);
    let next: Expr;
    if (scalar.kind === 'ptr') {
      next = { op: 'ptrAdd', ptr: current, index: { op: 'const', type: S64, value: kind === 'add' ? 1n : -1n, loc }, scale: scalar.pointeeSize, type: scalar, loc };
    } else if (isBool(type)) {
      next = kind === 'add' ? { op: 'const', type: scalar, value: 1n, loc } : { op: 'binary', kind: 'xor', left: current, right: { op: 'const', type: scalar, value: 1n, loc }, type: scalar, loc };
    } else {
      const promoted = promote(type);
      const pt = irScalarType(promoted) as IntType;
      const sum: Expr = { op: 'binary', kind, left: this.convert(current, type, promoted, loc), right: { op: 'const', type: pt, value: 1n, loc }, type: pt, loc };
      next = this.convert(sum, promoted, type, loc);
    }
    let result: Expr;
    if (postfix && !discarded) {
      // old = target; target = old +/- 1; yield old
      const old = this.newTemp(type, loc);
      const oldRef: Expr = { op: 'local', id: old, type: scalar, loc };
      const nextFromOld = this.replaceLoad(next, current, oldRef);
      result = { op: 'sequence', first: { op: 'assign', id: old, value: current, type: scalar, loc },
        second: { op: 'sequence', first: this.storeLValue(stable.lvalue, nextFromOld, loc), second: oldRef, type: scalar, loc }, type: scalar, loc };
    } else {
      result = this.storeLValue(stable.lvalue, next, loc);
    }
    return stable.setup ? { op: 'sequence', first: stable.setup, second: result, type: result.type, loc } : result;
  }

  /** Replaces the (single) occurrence of `from` inside `expr` by `to` (used to reuse a loaded value). */
  protected replaceLoad(expr: Expr, from: Expr, to: Expr): Expr {
    if (expr === from) return to;
    const copy = { ...expr } as Record<string, unknown>;
    for (const key of ['left', 'right', 'operand', 'ptr']) {
      const child = copy[key] as Expr | undefined;
      if (child && typeof child === 'object' && 'op' in child) copy[key] = this.replaceLoad(child, from, to);
    }
    return copy as unknown as Expr;
  }

  /** Makes an lvalue safe to evaluate twice: a memory lvalue whose pointer has side effects gets a temp. */
  protected stabilize(target: LValue, loc: Loc): { lvalue: LValue; setup?: Expr } {
    if (target.kind === 'local' || isPure(target.ptr)) return { lvalue: target };
    const tmp = this.newTemp({ kind: 'pointer', to: target.type }, loc);
    const ptrType = target.ptr.type as PtrType;
    return {
      lvalue: { ...target, ptr: { op: 'local', id: tmp, type: ptrType, loc } },
      setup: { op: 'assign', id: tmp, value: target.ptr, type: ptrType, loc },
    };
  }

  protected call(node: ast.CallExpression, type: CType, discarded = false): Expr {
    const loc = locOf(node);
    const resultType = irScalarType(type) ?? VOID;
    const callee = this.calleeDesignator(node.callee);
    if (callee.kind === 'Identifier') {
      const referenced = this.c.model.referenceOf(callee)?.symbol;
      // `int (*f)(...) = fn; ... f(x)`: clang propagates the one function a local ever holds and calls it directly
      const only = referenced?.kind === 'variable' && this.localBySymbol.has(referenced) ? this.onlyFunctionOf(referenced) : undefined;
      const symbol = only ?? referenced;
      const name = only ? only.name : callee.name;
      const atomic = symbol ? undefined : atomicBuiltin(name);
      if (atomic) return this.atomicBuiltin(node, name, atomic, type, discarded, loc);
      if (name === '__builtin_memcpy' || name === '__builtin_memmove' || name === '__builtin_memset') return this.memoryBuiltin(node, name, loc);
      if (name === '__builtin_memcmp' && !symbol && node.args.length === 3) return this.memoryCompare(node, loc);
      // without its argument it is sema's error (too few arguments); lowered as the 0 it stands for
      if ((name === '__builtin_expect' || name === '__builtin_expect_with_probability') && node.args[0]) return this.rvalueAs(node.args[0], type);
      // sema typed the call by the branch the constant condition chooses (clang evaluates it at compile time)
      if (name === '__builtin_choose_expr' && !symbol && node.args.length === 3) {
        const condition = this.c.model.evaluate(node.args[0]);
        if (condition !== undefined) return this.expression(condition !== 0n ? node.args[1] : node.args[2], discarded);
      }
      if (name === '__builtin_constant_p') {
        const operand = node.args[0];
        if (operand && this.c.model.evaluate(operand) !== undefined) return { op: 'const', type: S32, value: 1n, loc };
        // an operand with side effects is not evaluated, and is no constant to clang
        if (!operand || hasSideEffects(operand)) return { op: 'const', type: S32, value: 0n, loc };
        return { op: 'callHelper', name: CLANG_CONSTANT_P, helperId: -2, args: [this.rvalue(operand)], type: S32, loc };
      }
      // clang emits `x < 0 ? -x : x` in the argument's type, no call. abs(INT_MIN) is undefined in C: clang may fold it
      // to anything (measured: 0, where it knew the operand was 0 or INT_MIN); the run says INT_MIN, as BPF's neg wraps
      if (Object.hasOwn(ABSOLUTE_VALUE_BUILTINS, name) && !symbol && node.args.length === 1) return this.absoluteValue(node.args[0], ABSOLUTE_VALUE_BUILTINS[name], loc);
      if ((name === '__builtin_bswap16' || name === '__builtin_bswap32' || name === '__builtin_bswap64') && node.args.length === 1) {
        return this.byteSwap(this.rvalueAs(node.args[0], type), Number(name.slice('__builtin_bswap'.length)) as IntBits, loc);
      }
      if (name === '__builtin_preserve_access_index') {
        this.preserveAccessDepth++;
        try { return this.rvalue(node.args[0]); } finally { this.preserveAccessDepth--; }
      }
      // bpf_core_type_id_kernel()/_local(): a BTF type id libbpf writes into a 64-bit immediate (a CO-RE relocation,
      // no call); the simulated kernel numbers no BTF types, so its value cannot be simulated
      if (name === '__builtin_btf_type_id') {
        // ...except as bpf_rdonly_cast()'s type, which the C cast of its result already gives the checker and the run
        if (this.rdonlyCastArgs > 0) return { op: 'const', type: irScalarType(type) as IntType | undefined ?? U64, value: 0n, loc };
        this.report(Diagnostics.UnsupportedConstruct, node, ['__builtin_btf_type_id (a BTF type id, which libbpf relocates)']);
        return { op: 'const', type: irScalarType(type) as IntType | undefined ?? U64, value: 0n, loc };
      }
      if ((name === '__builtin_preserve_field_info' || name === '__builtin_preserve_type_info' || name === '__builtin_preserve_enum_value') && !symbol && node.args.length === 2) {
        return this.coreRelocation(node, name, type, loc);
      }
      // A BPF helper: libbpf declares `static long (* const name)(...) = (void *) ID;`
      if (symbol && symbol.kind === 'variable' && symbol.initializer && resolve(symbol.type).kind === 'pointer') {
        const id = this.helperIdOf(symbol.initializer);
        if (id !== undefined) return { op: 'callHelper', name: helperNameById(id) ?? name, helperId: id, args: this.callArgs(node, symbol.type), type: resultType, loc };
      }
      if (symbol && symbol.kind === 'function') {
        const index = this.functionIndex.get(name);
        // a struct-valued call whose value is not used still gets a slot to fill
        const filled = index !== undefined && resultType.kind === 'void' ? this.recordCall(node, type) : undefined;
        if (filled) return filled;
        if (index !== undefined) return { op: 'call', func: index, args: this.callArgs(node, symbol.type, this.emittedFunctions[index]), type: resultType, loc };
        this.reportBodilessCallArguments(node, name);
        // An extern declaration without a body: a kfunc (`__ksym`) or a clang builtin.
        const section = symbol.attributes.find((a) => a.name === 'section')?.args[0];
        const ksym = section?.kind === 'StringLiteral' && section.value === '.ksyms';
        if (name === 'bpf_rdonly_cast' && ksym) {
          this.rdonlyCastArgs++;
          try { return { op: 'callHelper', name, helperId: -1, args: this.callArgs(node, symbol.type), type: resultType, loc }; } finally { this.rdonlyCastArgs--; }
        }
        // a compile-time assertion's function: never in a built object, so nothing for libbpf to resolve
        const error = symbol.attributes.find((a) => a.name === 'error');
        if (error) {
          const message = error.args[0]?.kind === 'StringLiteral' ? error.args[0].value : '';
          return { op: 'callHelper', name, helperId: -1, args: this.callArgs(node, symbol.type), type: resultType, loc, compileTimeError: message };
        }
        return { op: 'callHelper', name, helperId: -1, args: this.callArgs(node, symbol.type), type: resultType, loc,
          ...(ksym || LIBRARY_BUILTINS.has(name) || node.args.length > 5 ? {} : { externUnresolved: 'notKsym' as const }) };
      }
      if (!symbol && name.startsWith('__builtin_')) {
        return { op: 'callHelper', name, helperId: -2, args: node.args.map((a) => this.rvalue(a)), type: resultType, loc };
      }
    }
    // an implicitly declared function is a call of a function without a body
    if (callee.kind === 'Identifier' && !this.c.model.referenceOf(callee)?.symbol) {
      this.reportBodilessCallArguments(node, callee.name);
      // (more than 5 arguments: clang fails the build first, BPF1233)
      if (!LIBRARY_BUILTINS.has(callee.name) && !callee.name.startsWith('__builtin_') && node.args.length <= 5) {
        return { op: 'callHelper', name: callee.name, helperId: -1, args: node.args.map((a) => this.rvalue(a)), type: resultType, loc, externUnresolved: 'implicit' };
      }
    }
    this.report(Diagnostics.UnsupportedConstruct, node, ['an indirect call']);
    return resultType.kind === 'void' ? { op: 'const', type: S32, value: 0n, loc } : this.zeroOf(resultType, loc);
  }

  /**
   * mirrors BPFTargetLowering::LowerCall(): more than 5 arguments is "too many args", certain for a function with no
   * body here (one with a body may be inlined or lose its constant arguments first, so it is not reported).
   */
  private reportBodilessCallArguments(node: ast.CallExpression, name: string): void {
    if (node.args.length <= 5) return;
    const printMacro = /^___bpf_fill\d+$/.test(name) ? `: BPF_SEQ_PRINTF and BPF_SNPRINTF take at most 12 values (this passes ${name.slice('___bpf_fill'.length)})` : '';
    this.report(Diagnostics.TooManyCallArguments, node, [name, node.args.length, printMacro]);
  }

  /**
   * A function designator as a value. A function of this object is its address (PTR_TO_FUNC for a callback);
   * an extern `__ksym` function is what libbpf writes into the ld_imm64: the kfunc's BTF id when the kernel has
   * it, 0 for a `__weak` one it lacks (bpf_object__resolve_ksym_func_btf_id()), so `if (kfunc)` is false and
   * the call under it is dead code the verifier never visits.
   */
  /**
   * The function a local function pointer holds on every path: its initializer names one, and the function never
   * assigns it, increments it or takes its address. Anything else is an indirect call (clang emits `callx`, which
   * Linux 6.18 refuses: "unknown opcode 8d").
   */
  private onlyFunctionOf(local: CSymbol): CSymbol | undefined {
    const functionOf = (e: ast.Expression | undefined): CSymbol | undefined => {
      while (e && (e.kind === 'Cast' || (e.kind === 'Unary' && e.operator === '&'))) e = e.operand;
      const s = e?.kind === 'Identifier' ? this.c.model.referenceOf(e)?.symbol : undefined;
      return s?.kind === 'function' ? s : undefined;
    };
    const init = local.initializer;
    const target = init && init.kind !== 'InitializerList' ? functionOf(init) : undefined;
    const body = this.currentFunction?.definition.body;
    if (!target || !body) return undefined;
    const names = (e: ast.Expression): boolean => e.kind === 'Identifier' && this.c.model.referenceOf(e)?.symbol === local;
    let written = false;
    ast.walk(body, (node) => {
      if (written) return;
      if (node.kind === 'Assignment' && names(node.left)) written = true;
      else if (node.kind === 'Postfix' && names(node.operand)) written = true;
      else if (node.kind === 'Unary' && (node.operator === '&' || node.operator === '++' || node.operator === '--') && names(node.operand)) written = true;
    });
    return written ? undefined : target;
  }

  protected functionValue(symbol: CSymbol, loc: Loc): Expr {
    const type: PtrType = { kind: 'ptr', pointeeSize: 1, cName: `${typeToString(symbol.type)} *` };
    const index = this.functionIndex.get(symbol.name);
    if (index !== undefined) return { op: 'funcAddr', target: { kind: 'subprog', func: index }, type, loc };
    const weak = symbol.attributes.some((a) => a.name === 'weak' || a.name === '__weak__');
    if (weak && !isKernelKfunc(symbol.name)) return { op: 'null', type, loc };
    return { op: 'funcAddr', target: { kind: 'kfunc', name: symbol.name }, type, loc };
  }

  /**
   * What a call's callee designates once clang has looked through it: `(*f)(...)` calls f, and
   * `_Generic(ctx, T1: f, T2: g)(...)` calls the function the association selects at compile time.
   */
  protected calleeDesignator(expression: ast.Expression): ast.Expression {
    let callee = expression;
    for (;;) {
      if (callee.kind === 'Unary' && callee.operator === '*') callee = callee.operand;
      else if (callee.kind === 'Generic') {
        const selected = this.c.model.genericSelection(callee);
        if (!selected) return callee;
        callee = selected;
      } else return callee;
    }
  }

  /**
   * A call of a static function of this object returning a struct or union (returnsRecordByHiddenPointer()): a slot
   * of the caller's frame is passed as the hidden last argument, and the expression is the call, then that slot's
   * address. Undefined for any other call.
   */
  protected recordCall(node: ast.CallExpression, type: CType): Expr | undefined {
    const loc = locOf(node);
    const callee = this.calleeDesignator(node.callee);
    if (callee.kind !== 'Identifier') return undefined;
    const symbol = this.c.model.referenceOf(callee)?.symbol;
    const index = symbol?.kind === 'function' ? this.functionIndex.get(callee.name) : undefined;
    const f = index !== undefined ? this.emittedFunctions[index] : undefined;
    if (index === undefined || !symbol || !f || !returnsRecordByHiddenPointer(f)) return undefined;
    // mirrors BPFTargetLowering's refusal of an sret function: a __noinline one is kept, with its aggregate return
    if (isNoinline(f)) this.report(Diagnostics.StructReturnNotCompiled, node, [f.name, 'is __noinline']);
    const slot = this.locals[this.newLocal(`<value of ${callee.name}()>`, type, loc, false)].slot!;
    const addr = this.slotAddr(slot, type, loc);
    const call: Expr = { op: 'call', func: index, args: [...this.callArgs(node, symbol.type, f), addr], type: VOID, loc };
    return { op: 'sequence', first: call, second: addr, type: addr.type, loc };
  }

  /** The arguments of a call; `callee`, a function of this object, takes its struct and union arguments by address. */
  protected callArgs(node: ast.CallExpression, calleeType: CType, callee?: ProgramFunction): Expr[] {
    let fn = resolve(calleeType);
    if (fn.kind === 'pointer') fn = resolve(fn.to);
    const params = fn.kind === 'function' ? fn.params : [];
    return node.args.map((a, i) => {
      const param = params[i];
      if (param && callee && passesRecordByPointer(param)) {
        // mirrors BPFTargetLowering::LowerCall(): a call clang keeps cannot take an aggregate by value
        if (isNoinline(callee)) this.report(Diagnostics.StructArgNotCompiled, node, [callee.name, i + 1]);
        return this.addressOf(this.lvalue(a), locOf(a)) ?? { op: 'null', type: ptrTo(param), loc: locOf(a) };
      }
      if (param) return this.rvalueAs(a, param);
      // Variadic or unprototyped: default argument promotions.
      return this.rvalueAs(a, promote(decay(this.typeOf(a))));
    });
  }
}

function isComparison(node: ast.Expression): boolean {
  return node.kind === 'Binary' && ['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(node.operator);
}

/** Expressions without side effects that can be evaluated twice. */
function isPure(e: Expr): boolean {
  switch (e.op) {
    case 'const': case 'null': case 'param': case 'local': case 'addr': return true;
    case 'ptrCast': case 'convert': case 'ptrToInt': case 'intToPtr': case 'unary': return isPure(e.operand);
    case 'ptrAdd': return isPure(e.ptr) && isPure(e.index);
    case 'load': case 'loadPtr': return isPure(e.ptr);
    case 'binary': return isPure(e.left) && isPure(e.right);
    default: return false;
  }
}

/** An expression whose evaluation could change something: a call, an assignment, an increment or decrement. */
function hasSideEffects(node: ast.Node): boolean {
  let found = false;
  ast.walk(node, (n) => {
    if (n.kind === 'Call' || n.kind === 'Assignment' || n.kind === 'Postfix' || (n.kind === 'Unary' && (n.operator === '++' || n.operator === '--'))) found = true;
  });
  return found;
}

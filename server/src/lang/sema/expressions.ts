/** Expressions: a type for every expression, member lookup, calls (builtins included), lvalues and assignments, operators. */

import { atomicBuiltin, atomicResult } from '../atomics';
import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { CType, Types, compatible, findMember, integerLiteralType, isArithmetic, isComplete, isError, isInteger, isPointer, isScalar, isVoid, promote, quotedType, resolve, sizeOf, typeToString, unqualified, usualArithmeticConversions, withQualifiers } from '../types';
import { parseNumber } from '../parser';
import { ConstantEvaluator } from './constants';

const SIZE_T = Types.unsignedLong;

const PTRDIFF_T = Types.long;

/**
 * How many arguments the builtins take whose count clang checks as a function call's ("too few arguments to function
 * call, expected 2, have 1"), measured with clang 14; the others (the CO-RE builtins, __builtin_choose_expr...) are
 * checked by clang in words of their own and not here.
 */
const BUILTIN_ARITY: Readonly<Record<string, number>> = {
  __builtin_expect: 2, __builtin_expect_with_probability: 3, __builtin_constant_p: 1,
  __builtin_memcpy: 3, __builtin_memset: 3, __builtin_memmove: 3, __builtin_memcmp: 3,
  __builtin_bswap16: 1, __builtin_bswap32: 1, __builtin_bswap64: 1,
  __builtin_clz: 1, __builtin_ctz: 1, __builtin_popcount: 1, __builtin_clzll: 1, __builtin_ctzll: 1, __builtin_popcountll: 1, __builtin_ffs: 1,
  __builtin_unreachable: 0, __builtin_trap: 0,
  __builtin_abs: 1, __builtin_labs: 1, __builtin_llabs: 1,
};

/** Return types of the clang builtins BPF programs and libbpf's headers use (from clang's Builtins*.def). */
const BUILTIN_RETURNS: Record<string, CType | 'first-argument' | 'chosen'> = {
  __builtin_expect: Types.long,
  __builtin_expect_with_probability: Types.long,
  __builtin_constant_p: Types.int,
  __builtin_memcpy: { kind: 'pointer', to: Types.void },
  __builtin_memset: { kind: 'pointer', to: Types.void },
  __builtin_memmove: { kind: 'pointer', to: Types.void },
  __builtin_memcmp: Types.int,
  __builtin_bswap16: Types.unsignedShort,
  __builtin_bswap32: Types.unsignedInt,
  __builtin_bswap64: Types.unsignedLongLong,
  __builtin_preserve_access_index: 'first-argument',
  __builtin_preserve_field_info: Types.unsignedInt,
  __builtin_preserve_type_info: Types.unsignedInt,
  __builtin_preserve_enum_value: Types.long,
  __builtin_btf_type_id: Types.unsignedLong,
  __builtin_choose_expr: 'chosen',
  __builtin_unreachable: Types.void,
  __builtin_trap: Types.void,
  __builtin_abort: Types.void,
  __builtin_clz: Types.int, __builtin_ctz: Types.int, __builtin_popcount: Types.int,
  __builtin_clzll: Types.int, __builtin_ctzll: Types.int, __builtin_popcountll: Types.int,
  __builtin_ffs: Types.int,
  __builtin_abs: Types.int, __builtin_labs: Types.long, __builtin_llabs: Types.longLong,
  __builtin_va_start: Types.void, __builtin_va_end: Types.void, __builtin_va_copy: Types.void,
  __builtin_frame_address: { kind: 'pointer', to: Types.void },
  __builtin_return_address: { kind: 'pointer', to: Types.void },
  __builtin_object_size: SIZE_T,
  __builtin_strlen: SIZE_T,
  __builtin_strcmp: Types.int,
  __builtin_strncmp: Types.int,
};

export abstract class ExpressionAnalyzer extends ConstantEvaluator {
  // ---------------------------------------------------------------- expressions
  expression(node: ast.Expression): CType {
    const type = this.computeType(node);
    this.types.set(node, type);
    return type;
  }

  /** Array-to-pointer and function-to-pointer decay (C11 6.3.2.1). */
  protected decay(type: CType): CType {
    const resolved = resolve(type);
    if (resolved.kind === 'array') return { kind: 'pointer', to: resolved.of };
    if (resolved.kind === 'function') return { kind: 'pointer', to: type };
    return type;
  }

  protected computeType(node: ast.Expression): CType {
    switch (node.kind) {
      case 'Identifier': {
        const symbol = this.lookup(node.name);
        if (!symbol) {
          if (node.name.startsWith('__builtin_')) return Types.error;
          this.report(Diagnostics.UndeclaredIdentifier, node, [node.name]);
          return Types.error;
        }
        this.refer(node, { symbol });
        if (symbol.kind === 'typedef') { this.report(Diagnostics.TypeNameAsExpression, node, [node.name]); return Types.error; }
        return symbol.type;
      }
      case 'IntegerLiteral': {
        const parsed = parseNumber(node.text);
        const decimal = parsed?.kind === 'int' ? parsed.decimal : true;
        return integerLiteralType(node.value, node.unsigned, node.longs, decimal);
      }
      case 'FloatLiteral': return /[fF]$/.test(node.text) && !/^0[xX]/.test(node.text) ? Types.float : Types.double;
      case 'CharLiteral': return Types.int;
      case 'StringLiteral': return { kind: 'array', of: Types.char, length: node.value.length + 1 };
      case 'MissingExpression': return Types.error;
      case 'Comma': {
        let last: CType = Types.error;
        for (const expression of node.expressions) last = this.expression(expression);
        return this.decay(last);
      }
      case 'Assignment': return this.assignment(node);
      case 'Conditional': {
        this.condition(node.condition, node.questionSpan, Diagnostics.UsedTypeNotScalar);
        const whenTrue = node.whenTrue ? this.decay(this.expression(node.whenTrue)) : this.decay(this.types.get(node.condition) ?? Types.error);
        const whenFalse = this.decay(this.expression(node.whenFalse));
        if (isArithmetic(whenTrue) && isArithmetic(whenFalse)) return usualArithmeticConversions(whenTrue, whenFalse);
        if (isPointer(whenTrue)) return whenTrue;
        if (isPointer(whenFalse)) return whenFalse;
        return whenTrue;
      }
      case 'Binary': {
        // Long left-deep chains (`a + b + c + ...`, 100k terms in generated code) are typed bottom-up in a loop.
        const spine: ast.BinaryExpression[] = [node];
        while (spine[spine.length - 1].left.kind === 'Binary') spine.push(spine[spine.length - 1].left as ast.BinaryExpression);
        for (let i = spine.length - 1; i > 0; i--) this.types.set(spine[i], this.binary(spine[i]));
        return this.binary(node);
      }
      case 'Unary': return this.unary(node);
      case 'Postfix': {
        const operand = this.expression(node.operand);
        this.requireModifiableLvalue(node.operand, operand, node.operatorSpan);
        return unqualified(operand);
      }
      case 'Cast': {
        const target = this.typeName(node.typeName);
        const operand = this.decay(this.expression(node.operand));
        const resolvedTarget = resolve(target);
        if (!isVoid(target) && !isError(operand) && !isError(target)) {
          // mirrors clang's CheckCStyleCast(): a cast to a non-scalar is reported at the cast, of one at the operand
          if (resolvedTarget.kind === 'record' || resolvedTarget.kind === 'array') {
            this.report(Diagnostics.UsedTypeNotScalar, node, [quotedType(target)]);
            return Types.error;
          }
          if (isScalar(target) && !isScalar(operand)) {
            this.report(Diagnostics.CastOperandNotScalar, node.operand, [quotedType(operand)]);
            return Types.error;
          }
        }
        return target;
      }
      case 'CompoundLiteral': {
        let type = this.typeName(node.typeName);
        this.initializer(type, node.initializer, false);
        const resolved = resolve(type);
        if (resolved.kind === 'array' && resolved.length === undefined) type = { ...resolved, length: this.initializerListLength(node.initializer) };
        return type;
      }
      case 'Sizeof': {
        const operandType = node.operand.kind === 'TypeName' ? this.typeName(node.operand) : this.expression(node.operand);
        const resolvedOperand = resolve(operandType);
        // a variable-length array has a size, known at run time (clang then needs a dynamic stack allocation)
        const variableLength = resolvedOperand.kind === 'array' && resolvedOperand.vla === true;
        if (node.operator === 'sizeof' && !variableLength && !isComplete(operandType) && !isVoid(operandType) && !isError(operandType) && resolvedOperand.kind !== 'function') {
          // clang's caret: the keyword for a type operand, the operand as written for an expression
          const at = node.operand.kind === 'TypeName' ? { file: node.file, pos: node.pos, end: node.pos + 'sizeof'.length } : { ...node.operandStart, end: node.operand.end };
          this.report(Diagnostics.SizeofIncompleteType, at, [quotedType(operandType)]);
        }
        return SIZE_T;
      }
      case 'StatementExpression': {
        return this.withScope(() => {
          const items = node.body.items;
          for (let i = 0; i < items.length - 1; i++) {
            const item = items[i];
            if (item.kind === 'Declaration') this.declaration(item);
            else if (item.kind === 'StaticAssert') this.staticAssert(item);
            else this.statement(item);
          }
          const last = items[items.length - 1];
          if (last?.kind === 'ExpressionStatement' && last.expression) return this.decay(this.expression(last.expression));
          if (last) { if (last.kind === 'Declaration') this.declaration(last); else if (last.kind === 'StaticAssert') this.staticAssert(last); else this.statement(last); }
          return Types.void;
        });
      }
      case 'Offsetof': {
        this.offsetof(node);
        return SIZE_T;
      }
      case 'VaArg': this.expression(node.operand); return this.typeName(node.typeName);
      case 'TypesCompatible': this.typeName(node.left); this.typeName(node.right); return Types.int;
      case 'Generic': {
        const control = this.decay(unqualified(this.expression(node.control)));
        let chosen: { type: CType; value: ast.Expression } | undefined;
        let fallback: { type: CType; value: ast.Expression } | undefined;
        for (const association of node.associations) {
          const valueType = this.expression(association.value);
          if (!association.typeName) fallback = { type: valueType, value: association.value };
          else if (compatible(this.typeName(association.typeName), control)) chosen ??= { type: valueType, value: association.value };
        }
        const selected = chosen ?? fallback;
        if (selected) this.genericSelections.set(node, selected.value);
        return selected?.type ?? Types.error;
      }
      case 'Index': {
        const object = this.decay(this.expression(node.object));
        const index = this.decay(this.expression(node.index));
        const pointer = isPointer(object) ? resolve(object) : isPointer(index) ? resolve(index) : undefined;
        if (!pointer || pointer.kind !== 'pointer') {
          if (!isError(object) && !isError(index)) this.report(Diagnostics.SubscriptOfNonArray, node.openBracket);
          return Types.error;
        }
        return pointer.to;
      }
      case 'Member': return this.member(node);
      case 'Call': return this.call(node);
    }
  }

  protected offsetof(node: ast.OffsetofExpression): number | undefined {
    let type = this.types.get(node.typeName) ?? this.typeName(node.typeName);
    let offset = 0;
    let known = true;
    for (const designator of node.designators) {
      const resolved = resolve(type);
      if (designator.kind === 'FieldDesignator') {
        if (resolved.kind !== 'record') { if (!isError(resolved)) this.report(Diagnostics.MemberBaseNotRecord, designator, [quotedType(resolved)]); return undefined; }
        const path = findMember(resolved.record, designator.name.name);
        if (!path) { this.report(Diagnostics.NoMember, designator.name, [designator.name.name, typeToString(resolved)]); return undefined; }
        const field = path[path.length - 1];
        this.refer(designator.name, { field, record: resolved.record });
        for (const step of path) offset += step.offset;
        type = field.type;
      } else {
        if (!this.types.has(designator.index)) this.expression(designator.index);
        if (resolved.kind !== 'array') { this.report(Diagnostics.SubscriptOfNonArray, designator); return undefined; }
        const index = this.evaluate(designator.index);
        if (index === undefined) known = false;
        else offset += Number(index) * (sizeOf(resolved.of) ?? 0);
        type = resolved.of;
      }
    }
    return known ? offset : undefined;
  }

  protected member(node: ast.MemberExpression): CType {
    const objectType = this.expression(node.object);
    if (isError(objectType)) return Types.error;
    // mirrors clang's LookupMemberExpr(): the caret is on the operator; `->` on a record and `.` on a pointer to one
    // are reported with the other operator suggested, and checked on as if it had been written
    let arrow = node.arrow;
    let base = resolve(arrow ? this.decay(objectType) : objectType);
    if (arrow && base.kind !== 'pointer') {
      if (base.kind !== 'record') { this.report(Diagnostics.ArrowOnNonPointer, node.member, [quotedType(objectType)]); return Types.error; }
      this.report(Diagnostics.ArrowOnRecord, node.operatorSpan, [quotedType(objectType)]);
      arrow = false;
    } else if (!arrow && base.kind === 'pointer' && resolve(base.to).kind === 'record') {
      this.report(Diagnostics.DotOnPointer, node.operatorSpan, [quotedType(objectType)]);
      arrow = true;
    }
    if (arrow && base.kind === 'pointer') base = resolve(base.to);
    if (base.kind !== 'record') { this.report(Diagnostics.MemberBaseNotRecord, node.operatorSpan, [quotedType(base)]); return Types.error; }
    if (!base.record.complete) {
      // typesFromSyntax.ts keeps the specifier that first named the record: the note goes on its name, as clang's
      const declared = base.record.declaration as ast.RecordSpecifier | undefined;
      const at = declared?.name ?? declared;
      this.report(Diagnostics.MemberOfIncompleteType, node.operatorSpan, [quotedType(unqualified(base))], at ? { at, message: `forward declaration of '${typeToString(unqualified(base))}'` } : undefined);
      return Types.error;
    }
    const path = findMember(base.record, node.member.name);
    if (!path) {
      this.report(Diagnostics.NoMember, node.member, [node.member.name, typeToString(unqualified(base))]);
      return Types.error;
    }
    const field = path[path.length - 1];
    this.refer(node.member, { field, record: base.record });
    // Members of a const object are const.
    return base.qualifiers?.const ? withQualifiers(field.type, { const: true }) : field.type;
  }

  protected call(node: ast.CallExpression): CType {
    const atomic = node.callee.kind === 'Identifier' ? atomicBuiltin(node.callee.name) : undefined;
    if (atomic && node.callee.kind === 'Identifier' && !this.lookup(node.callee.name)) {
      // clang's __sync_*/__atomic_* builtins: typed by the pointee of their first argument
      const argTypes = node.args.map((arg) => this.decay(this.expression(arg)));
      this.types.set(node.callee, Types.error);
      if (node.args.length < atomic.args) { this.report(Diagnostics.TooFewArguments, node.closeParen, [String(atomic.args), String(node.args.length)]); return Types.error; }
      if (node.args.length > atomic.args) { this.report(Diagnostics.TooManyArguments, this.extraArguments(node, atomic.args), [String(atomic.args), String(node.args.length)]); return Types.error; }
      const result = atomicResult(atomic);
      if (result === 'void') return Types.void;
      if (result === 'bool') return Types.bool;
      const pointer = argTypes[0] ? resolve(argTypes[0]) : undefined;
      return pointer?.kind === 'pointer' ? unqualified(pointer.to) : Types.error;
    }
    if (node.callee.kind === 'Identifier' && node.callee.name.startsWith('__builtin_') && !this.lookup(node.callee.name)) {
      const argTypes = node.args.map((arg) => this.expression(arg));
      const returns = Object.hasOwn(BUILTIN_RETURNS, node.callee.name) ? BUILTIN_RETURNS[node.callee.name] : undefined;
      this.types.set(node.callee, Types.error);
      const arity = Object.hasOwn(BUILTIN_ARITY, node.callee.name) ? BUILTIN_ARITY[node.callee.name] : undefined;
      if (arity !== undefined && node.args.length < arity) this.report(Diagnostics.TooFewArguments, node.closeParen, [String(arity), String(node.args.length)]);
      if (arity !== undefined && node.args.length > arity) this.report(Diagnostics.TooManyArguments, this.extraArguments(node, arity), [String(arity), String(node.args.length)]);
      if (returns === 'first-argument') return argTypes[0] ?? Types.error;
      if (returns === 'chosen') {
        const condition = node.args[0] ? this.evaluate(node.args[0]) : undefined;
        return condition === undefined ? Types.error : (condition !== 0n ? argTypes[1] : argTypes[2]) ?? Types.error;
      }
      return returns ?? Types.int;
    }
    let calleeType: CType;
    if (node.callee.kind === 'Identifier' && !this.lookup(node.callee.name)) {
      // C89 implicit declaration `int f()`: clang 14 warns and continues.
      this.report(Diagnostics.ImplicitFunctionDeclaration, node.callee, [node.callee.name]);
      calleeType = { kind: 'function', returns: Types.int, params: [], paramNames: [], variadic: false, prototyped: false };
      this.types.set(node.callee, calleeType);
    } else {
      calleeType = this.expression(node.callee);
    }
    const argTypes = node.args.map((arg) => this.decay(this.expression(arg)));
    if (isError(calleeType)) return Types.error;
    let fn = resolve(calleeType);
    if (fn.kind === 'pointer') fn = resolve(fn.to);
    if (fn.kind !== 'function') {
      this.report(Diagnostics.NotCallable, node.openParen, [quotedType(calleeType)]);
      return Types.error;
    }
    if (fn.prototyped) this.checkArgumentCount(node, fn);
    if (fn.prototyped) {
      fn.params.forEach((parameter, index) => {
        const arg = node.args[index];
        if (arg && !this.assignable(parameter, argTypes[index])) {
          this.report(Diagnostics.IncompatibleArgument, arg, [quotedType(parameter), quotedType(argTypes[index])]);
        }
      });
    }
    return fn.returns;
  }

  /**
   * Simple assignment constraints (C11 6.5.16.1) as far as clang makes them errors: mismatched struct types,
   * struct <-> scalar, void values. Pointer/integer mismatches are only warnings in clang 14.
   */
  protected assignable(target: CType, value: CType): boolean {
    const t = resolve(target);
    const v = resolve(this.decay(value));
    if (t.kind === 'error' || v.kind === 'error') return true;
    if (v.kind === 'void') return false;
    if (t.kind === 'record' || v.kind === 'record') return t.kind === 'record' && v.kind === 'record' && compatible(t, v);
    if (isArithmetic(t) && isArithmetic(v)) return true;
    if (t.kind === 'pointer' && (v.kind === 'pointer' || isInteger(v))) return true;
    if (isInteger(t) && v.kind === 'pointer') return true;
    if (t.kind === 'int' && t.name === '_Bool' && v.kind === 'pointer') return true;
    return t.kind === 'array' ? false : !(isScalar(t) !== isScalar(v));
  }

  protected isLvalue(node: ast.Expression): boolean {
    switch (node.kind) {
      case 'Identifier': { const symbol = this.lookup(node.name); return !symbol || symbol.kind === 'variable' || symbol.kind === 'parameter'; }
      case 'Index': case 'CompoundLiteral': case 'StringLiteral': return true;
      case 'Unary': return node.operator === '*';
      case 'Member': return node.arrow || this.isLvalue(node.object);
      default: return false;
    }
  }

  /** `operator` is where clang puts the caret: the `=`, `++` or `--`. */
  protected requireModifiableLvalue(node: ast.Expression, type: CType, operator: ast.Span): boolean {
    if (isError(type)) return true;
    if (this.isLvalue(node) && resolve(type).kind === 'array') {
      this.report(Diagnostics.ArrayNotAssignable, operator, [quotedType(type)]);
      return false;
    }
    if (!this.isLvalue(node) || resolve(type).kind === 'function') {
      this.report(Diagnostics.NotAssignable, operator);
      return false;
    }
    if (resolve(type).qualifiers?.const) {
      this.reportConstAssignment(node, type, operator);
      return false;
    }
    return true;
  }

  /**
   * mirrors clang's DiagnoseConstAssignment(): a const member is named; else the variable a chain of member accesses
   * starts from, with its own type (`s->a = 1` with `const struct foo *s` names `s`); anything else (`*p`, `a[i]`) is a
   * "read-only variable".
   */
  protected reportConstAssignment(node: ast.Expression, type: CType, operator: ast.Span): void {
    let target: ast.Expression = node;
    let targetType = type;
    for (;;) {
      if (target.kind === 'Identifier') {
        this.report(Diagnostics.ConstAssignment, operator, [target.name, quotedType(targetType)]);
        return;
      }
      if (target.kind !== 'Member') break;
      const field = this.referencesByNode.get(target.member)?.field;
      if (field && resolve(field.type).qualifiers?.const) {
        this.report(Diagnostics.ConstMemberAssignment, operator, [target.member.name, quotedType(field.type)]);
        return;
      }
      targetType = this.types.get(target.object) ?? Types.error;
      target = target.object;
    }
    this.report(Diagnostics.ReadOnlyNotAssignable, operator);
  }

  /**
   * mirrors clang's Sema::ConvertArgumentsForCall(): too few arguments are reported at the `)`, too many at the first
   * extra one; a direct call of a function whose one parameter has a name says its name.
   */
  protected checkArgumentCount(node: ast.CallExpression, fn: Extract<CType, { kind: 'function' }>): void {
    const direct = node.callee.kind === 'Identifier' && this.lookup(node.callee.name)?.kind === 'function';
    const onlyName = direct && fn.params.length === 1 ? fn.paramNames[0] : undefined;
    if (node.args.length < fn.params.length) {
      if (onlyName) this.report(fn.variadic ? Diagnostics.TooFewArgumentsAtLeastOne : Diagnostics.TooFewArgumentsOne, node.closeParen, [onlyName]);
      else this.report(fn.variadic ? Diagnostics.TooFewArgumentsAtLeast : Diagnostics.TooFewArguments, node.closeParen, [fn.params.length, node.args.length]);
    } else if (node.args.length > fn.params.length && !fn.variadic) {
      if (onlyName) this.report(Diagnostics.TooManyArgumentsOne, this.extraArguments(node, 1), [onlyName, node.args.length]);
      else this.report(Diagnostics.TooManyArguments, this.extraArguments(node, fn.params.length), [fn.params.length, node.args.length]);
    }
  }

  /** The arguments past the first `expected`: from the first extra one to the last. */
  protected extraArguments(node: ast.CallExpression, expected: number): ast.Span {
    const first = node.args[expected];
    const last = node.args[node.args.length - 1];
    return { file: first.file, pos: first.pos, end: last.file === first.file ? last.end : first.end };
  }

  protected assignment(node: ast.AssignmentExpression): CType {
    const left = this.expression(node.left);
    const right = this.expression(node.right);
    if (!this.requireModifiableLvalue(node.left, left, node.operatorSpan)) return unqualified(left);
    if (node.operator === '=') {
      if (!this.assignable(left, right)) this.report(Diagnostics.IncompatibleAssignment, node.operatorSpan, [quotedType(unqualified(left)), quotedType(this.decay(right))]);
    } else if (!isError(right)) {
      const compoundOk = (isArithmetic(left) && isArithmetic(right)) || ((node.operator === '+=' || node.operator === '-=') && isPointer(left) && isInteger(right));
      if (!compoundOk) this.report(Diagnostics.InvalidOperands, node.operatorSpan, [quotedType(left), quotedType(right)]);
    }
    return unqualified(left);
  }

  protected unary(node: ast.UnaryExpression): CType {
    if (node.operator === '&&') return { kind: 'pointer', to: Types.void };
    const operand = this.expression(node.operand);
    if (isError(operand)) return node.operator === '&' ? Types.error : operand;
    // clang's caret is on the operator (a prefix operator starts the expression)
    const operator: ast.Span = { file: node.file, pos: node.pos, end: node.pos + node.operator.length };
    switch (node.operator) {
      case '&':
        if (!this.isLvalue(node.operand) && resolve(operand).kind !== 'function') { this.report(Diagnostics.AddressOfRvalue, operator, [quotedType(operand)]); return Types.error; }
        return { kind: 'pointer', to: operand };
      case '*': {
        const pointer = resolve(this.decay(operand));
        if (pointer.kind !== 'pointer') { this.report(Diagnostics.IndirectionOfNonPointer, operator, [quotedType(operand)]); return Types.error; }
        return pointer.to;
      }
      case '!':
        if (!isScalar(this.decay(operand))) { this.report(Diagnostics.InvalidUnaryArgument, operator, [quotedType(operand)]); return Types.error; }
        return Types.int;
      case '~':
        if (!isInteger(operand)) { this.report(Diagnostics.InvalidUnaryArgument, operator, [quotedType(operand)]); return Types.error; }
        return promote(operand);
      case '+': case '-':
        if (!isArithmetic(operand)) { this.report(Diagnostics.InvalidUnaryArgument, operator, [quotedType(operand)]); return Types.error; }
        return promote(operand);
      case '++': case '--':
        this.requireModifiableLvalue(node.operand, operand, operator);
        return unqualified(operand);
      default: return Types.error;
    }
  }

  protected binary(node: ast.BinaryExpression): CType {
    const left = this.decay(node.left.kind === 'Binary' && this.types.has(node.left) ? this.types.get(node.left)! : this.expression(node.left));
    const right = this.decay(this.expression(node.right));
    if (isError(left) || isError(right)) return Types.error;
    const invalid = (): CType => { this.report(Diagnostics.InvalidOperands, node.operatorSpan, [quotedType(left), quotedType(right)]); return Types.error; };
    switch (node.operator) {
      case '&&': case '||':
        return isScalar(left) && isScalar(right) ? Types.int : invalid();
      case '==': case '!=': case '<': case '>': case '<=': case '>=':
        if (isArithmetic(left) && isArithmetic(right)) return Types.int;
        if ((isPointer(left) || isInteger(left)) && (isPointer(right) || isInteger(right))) return Types.int;
        return invalid();
      case '+':
        if (isArithmetic(left) && isArithmetic(right)) return usualArithmeticConversions(left, right);
        if (isPointer(left) && isInteger(right)) return left;
        if (isInteger(left) && isPointer(right)) return right;
        return invalid();
      case '-':
        if (isArithmetic(left) && isArithmetic(right)) return usualArithmeticConversions(left, right);
        if (isPointer(left) && isInteger(right)) return left;
        if (isPointer(left) && isPointer(right)) return PTRDIFF_T;
        return invalid();
      case '*': case '/':
        return isArithmetic(left) && isArithmetic(right) ? usualArithmeticConversions(left, right) : invalid();
      case '%': case '&': case '|': case '^':
        return isInteger(left) && isInteger(right) ? usualArithmeticConversions(left, right) : invalid();
      case '<<': case '>>':
        return isInteger(left) && isInteger(right) ? promote(left) : invalid();
      default: return invalid();
    }
  }
}

/** Integer constant expressions (array sizes, enumerators, case labels, _Static_assert, initializers), cached per node. */

import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { CType, Types, alignOf, compatible, findMember, isArithmetic, isInteger, isPointer, promote, resolve, sizeOf, unqualified, usualArithmeticConversions, wrapInteger } from '../types';
import { TypeSyntaxAnalyzer } from './typesFromSyntax';

export abstract class ConstantEvaluator extends TypeSyntaxAnalyzer {
  // ---------------------------------------------------------------- constant evaluation
  /** Integer constant expression value (C11 6.6), wrapped to the expression's type; undefined if not constant. */
  evaluate(node: ast.Expression): bigint | undefined {
    if (this.constantCache.has(node)) return this.constantCache.get(node);
    if (node.kind === 'Binary' && node.left.kind === 'Binary') {
      // Evaluate a left-deep chain bottom-up so the recursion depth stays constant.
      const spine: ast.BinaryExpression[] = [];
      for (let current: ast.Expression = node.left; current.kind === 'Binary'; current = current.left) spine.push(current);
      for (let i = spine.length - 1; i >= 0; i--) this.constantCache.set(spine[i], this.evaluateOne(spine[i]));
    }
    return this.evaluateOne(node);
  }

  protected evaluateOne(node: ast.Expression): bigint | undefined {
    if (this.constantCache.has(node)) return this.constantCache.get(node);
    const type = this.types.get(node) ?? this.expressionQuiet(node);
    const raw = this.evaluateRaw(node);
    if (raw === undefined) return undefined;
    return isInteger(type) || isPointer(type) ? wrapInteger(raw, type) : raw;
  }

  /** Types an expression that was not visited yet (attribute arguments) without duplicating diagnostics. */
  protected expressionQuiet(node: ast.Expression): CType {
    const count = this.diagnostics.length;
    const type = this.expression(node);
    this.diagnostics.length = count;
    return type;
  }

  /**
   * The address `&e` when clang folds it to a number: the member of a constant pointer, as the classic
   * `offsetof(type, member)` writes it, `((unsigned long)&((type *)0)->member)` (libbpf-era helpers, tetragon's
   * `case offsetof(struct pt_regs, r15):`), nested members and constant indexes included; clang accepts it where C
   * wants an integer constant (GNU constant folding).
   */
  private constantAddress(node: ast.Expression, depth: number): bigint | undefined {
    if (depth > 64) return undefined;
    if (node.kind === 'Member') {
      const objectType = resolve(this.types.get(node.object) ?? Types.error);
      const recordType = node.arrow ? (objectType.kind === 'pointer' ? resolve(objectType.to) : undefined) : objectType;
      if (recordType?.kind !== 'record') return undefined;
      const path = findMember(recordType.record, node.member.name);
      if (!path || path.some((field) => field.bitWidth !== undefined)) return undefined;
      const base = node.arrow ? this.evaluate(node.object) : this.constantAddress(node.object, depth + 1);
      return base === undefined ? undefined : base + BigInt(path.reduce((sum, field) => sum + field.offset, 0));
    }
    if (node.kind === 'Index') {
      const arrayType = resolve(this.types.get(node.object) ?? Types.error);
      const element = arrayType.kind === 'array' ? sizeOf(arrayType.of) : undefined;
      const index = this.evaluate(node.index);
      const base = arrayType.kind === 'array' ? this.constantAddress(node.object, depth + 1) : undefined;
      return base === undefined || index === undefined || element === undefined ? undefined : base + index * BigInt(element);
    }
    return undefined;
  }

  protected evaluateRaw(node: ast.Expression): bigint | undefined {
    switch (node.kind) {
      case 'IntegerLiteral': return node.value;
      case 'CharLiteral': return node.value;
      case 'Identifier': {
        const symbol = this.lookup(node.name);
        return symbol?.kind === 'enumerator' ? symbol.value : undefined;
      }
      case 'Cast': {
        const target = this.types.get(node) ?? Types.error;
        if (!isInteger(target) && !isPointer(target)) return undefined;
        const value = this.evaluate(node.operand);
        return value === undefined ? undefined : wrapInteger(value, target);
      }
      case 'Sizeof': {
        const type = node.operand.kind === 'TypeName' ? this.types.get(node.operand) : this.types.get(node.operand);
        if (!type) return undefined;
        if (node.operator === '_Alignof') return BigInt(alignOf(type));
        const size = sizeOf(type);
        return size === undefined ? undefined : BigInt(size);
      }
      case 'Offsetof': {
        const count = this.diagnostics.length;
        const offset = this.offsetof(node);
        this.diagnostics.length = count;
        return offset === undefined ? undefined : BigInt(offset);
      }
      case 'TypesCompatible': {
        const left = this.types.get(node.left);
        const right = this.types.get(node.right);
        return left && right ? (compatible(unqualified(resolve(left)), unqualified(resolve(right))) ? 1n : 0n) : undefined;
      }
      case 'Unary': {
        if (node.operator === '&') return this.constantAddress(node.operand, 0);
        const value = this.evaluate(node.operand);
        if (value === undefined) return undefined;
        switch (node.operator) {
          case '-': return -value;
          case '+': return value;
          case '~': return ~value;
          case '!': return value === 0n ? 1n : 0n;
          default: return undefined;
        }
      }
      case 'Binary': return this.evaluateBinary(node);
      case 'Conditional': {
        const condition = this.evaluate(node.condition);
        if (condition === undefined) return undefined;
        if (condition !== 0n) return node.whenTrue ? this.evaluate(node.whenTrue) : condition;
        return this.evaluate(node.whenFalse);
      }
      case 'Comma': return undefined;
      case 'Call': {
        if (node.callee.kind !== 'Identifier') return undefined;
        const name = node.callee.name;
        if (name === '__builtin_constant_p') return node.args[0] && this.evaluate(node.args[0]) !== undefined ? 1n : 0n;
        if (name === '__builtin_choose_expr' && node.args.length === 3) {
          const condition = this.evaluate(node.args[0]);
          return condition === undefined ? undefined : this.evaluate(condition !== 0n ? node.args[1] : node.args[2]);
        }
        if (name === '__builtin_expect' && node.args[0]) return this.evaluate(node.args[0]);
        const swaps: Record<string, number> = { __builtin_bswap16: 2, __builtin_bswap32: 4, __builtin_bswap64: 8 };
        if (Object.hasOwn(swaps, name) && node.args[0]) {
          const value = this.evaluate(node.args[0]);
          if (value === undefined) return undefined;
          let result = 0n;
          for (let i = 0; i < swaps[name]; i++) result = (result << 8n) | ((BigInt.asUintN(64, value) >> BigInt(8 * i)) & 0xffn);
          return result;
        }
        return undefined;
      }
      default: return undefined;
    }
  }

  protected evaluateBinary(node: ast.BinaryExpression): bigint | undefined {
    const left = this.evaluate(node.left);
    if (left === undefined) return undefined;
    // Short-circuit operators only need the left side when it decides.
    if (node.operator === '&&' && left === 0n) return 0n;
    if (node.operator === '||' && left !== 0n) return 1n;
    const right = this.evaluate(node.right);
    if (right === undefined) return undefined;
    const leftType = this.types.get(node.left) ?? Types.int;
    const rightType = this.types.get(node.right) ?? Types.int;
    const common = isArithmetic(leftType) && isArithmetic(rightType) ? usualArithmeticConversions(leftType, rightType) : Types.long;
    const l = wrapInteger(left, common);
    const r = wrapInteger(right, common);
    switch (node.operator) {
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '/': case '%':
        if (r === 0n) { this.report(Diagnostics.DivisionByZero, node.right); return undefined; }
        return node.operator === '/' ? l / r : l % r;
      case '<<': return wrapInteger(left, promote(leftType)) << BigInt.asUintN(7, right);
      case '>>': return wrapInteger(left, promote(leftType)) >> BigInt.asUintN(7, right);
      case '&': return l & r;
      case '|': return l | r;
      case '^': return l ^ r;
      case '<': return l < r ? 1n : 0n;
      case '>': return l > r ? 1n : 0n;
      case '<=': return l <= r ? 1n : 0n;
      case '>=': return l >= r ? 1n : 0n;
      case '==': return l === r ? 1n : 0n;
      case '!=': return l !== r ? 1n : 0n;
      case '&&': case '||': return right !== 0n ? 1n : 0n;
      default: return undefined;
    }
  }
}

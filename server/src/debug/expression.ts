/**
 * Watch, hover and breakpoint-condition expressions, read by lang/expressionText.ts (the front end's own scanner,
 * parser and checker, type names resolved in the program's file scope), then evaluated over the
 * paused program's values: names, literals, `->`, `.`, `[i]`, unary `*` `&` `-` `+` `!` `~`, casts, sizeof, `?:`,
 * the comma and the binary operators with C precedence. Nothing here runs code: it reads memory, so a condition has
 * no side effects; assignments, increments and calls are refused.
 */
import type * as ast from '../lang/ast';
import { ExpressionReader } from '../lang/expressionText';
import type { CType } from '../lang/types';
import { resolve, typeToString } from '../lang/types';
import { Inspector, sizeOfShown, type Place } from './inspect';

export class EvalError extends Error {}

const LONG: CType = { kind: 'int', name: 'long long', size: 8, signed: true, rank: 5 };

export class ExpressionEvaluator {
  private skipping = false;

  constructor(private readonly inspector: Inspector, private readonly lookup: (name: string) => Place | undefined, private readonly reader: ExpressionReader = new ExpressionReader(undefined)) {}

  evaluate(text: string): Place {
    const read = this.reader.read(text);
    if ('error' in read) throw new EvalError(read.error);
    this.skipping = false;
    return this.expression(read.expression);
  }

  /** A condition's truth: non-zero integer or non-NULL pointer. */
  truthy(text: string): boolean {
    const v = this.inspector.intValue(this.evaluate(text));
    if (v === undefined) throw new EvalError('the condition is not a scalar');
    return v !== 0n;
  }

  private expression(node: ast.Expression): Place {
    switch (node.kind) {
      case 'Identifier': {
        const place = this.lookup(node.name);
        if (place === undefined && this.skipping) return integer(0n);
        if (place === undefined) throw new EvalError(`no variable named ${node.name} here`);
        return place;
      }
      case 'IntegerLiteral': case 'CharLiteral': return integer(node.value);
      case 'Unary': return this.unary(node);
      case 'Binary': return this.binary(node);
      case 'Conditional': {
        const condition = this.int(this.expression(node.condition));
        const chosen = condition !== 0n ? node.whenTrue ?? node.condition : node.whenFalse;
        const other = condition !== 0n ? node.whenFalse : node.whenTrue;
        if (other) this.skipped(() => this.expression(other));
        return this.expression(chosen);
      }
      case 'Comma': {
        let last: Place = integer(0n);
        for (const e of node.expressions) last = this.expression(e);
        return last;
      }
      case 'Member': {
        const object = this.expression(node.object);
        return this.member(node.arrow ? this.deref(object, 0) : object, node.member.name);
      }
      case 'Index': {
        const object = this.expression(node.object);
        return this.index(object, this.int(this.expression(node.index)));
      }
      case 'Cast': return this.cast(this.typeName(node.typeName), this.expression(node.operand));
      case 'Sizeof': {
        if (node.operator !== 'sizeof') throw new EvalError('_Alignof is not evaluated in watch expressions');
        // the operand is typed, not evaluated for its value; reading it has no side effects here
        const type = node.operand.kind === 'TypeName' ? this.typeName(node.operand) : this.typeOf(this.expression(node.operand));
        if (!type) throw new EvalError('sizeof of a value without a type');
        return integer(BigInt(sizeOfShown(resolve(type))));
      }
      case 'Assignment': case 'Postfix': throw new EvalError('a watch expression does not change the program: assignments and increments are not evaluated');
      case 'Call': case 'StatementExpression': throw new EvalError('a watch expression does not run code: calls are not evaluated');
      default: throw new EvalError(`${describe(node)} is not evaluated in watch expressions`);
    }
  }

  private unary(node: ast.UnaryExpression): Place {
    switch (node.operator) {
      case '*': return this.deref(this.expression(node.operand), 0);
      case '&': {
        const place = this.expression(node.operand);
        if (this.skipping) return integer(0n);
        if (place.kind !== 'memory') throw new EvalError('cannot take the address of a value that is not in memory');
        const type: CType = { kind: 'pointer', to: place.type };
        return { kind: 'scalar', value: place.ptr, type, typeName: typeToString(type) };
      }
      case '-': return integer(-this.int(this.expression(node.operand)));
      case '+': return integer(this.int(this.expression(node.operand)));
      case '!': return integer(this.int(this.expression(node.operand)) === 0n ? 1n : 0n);
      case '~': return integer(~this.int(this.expression(node.operand)));
      case '++': case '--': throw new EvalError('a watch expression does not change the program: assignments and increments are not evaluated');
      default: throw new EvalError(`operator ${node.operator} is not evaluated in watch expressions`);
    }
  }

  private binary(node: ast.BinaryExpression): Place {
    const op = node.operator;
    const left = this.expression(node.left);
    if (op === '&&' || op === '||') {
      const l = this.int(left);
      // `key && key->x`: when the left side decides, the right side is checked but not read, as C short-circuits.
      const decided = (op === '&&' && l === 0n) || (op === '||' && l !== 0n);
      if (decided) { this.skipped(() => this.expression(node.right)); return integer(op === '||' ? 1n : 0n); }
      return integer(this.int(this.expression(node.right)) !== 0n ? 1n : 0n);
    }
    const right = this.expression(node.right);
    const pointer = this.pointee(left);
    if (pointer && (op === '+' || op === '-') && !this.pointee(right)) return this.offset(left, pointer, op === '+' ? this.int(right) : -this.int(right));
    return integer(applyBinary(op, this.int(left), this.int(right)));
  }

  /** `p + n`: the pointer moved by n elements, as C scales pointer arithmetic. */
  private offset(place: Place, pointee: CType, elements: bigint): Place {
    if (this.skipping) return integer(0n);
    const decays = place.kind === 'memory' && resolve(place.type).kind === 'array';
    const target = decays ? place.ptr : this.inspector.pointerTarget(place);
    if (target === undefined || target.region === null) throw new EvalError('arithmetic on a NULL or invalid pointer');
    const type: CType = { kind: 'pointer', to: pointee };
    const moved = { region: target.region, offset: target.offset + Number(elements) * sizeOfShown(resolve(pointee)) };
    return { kind: 'scalar', value: moved, type, typeName: typeToString(type) };
  }

  private cast(type: CType, place: Place): Place {
    if (this.skipping) return integer(0n);
    const rt = resolve(type);
    if (rt.kind === 'pointer') {
      const target = this.inspector.pointerTarget(place);
      if (target === undefined) {
        const v = this.int(place);
        if (v !== 0n) throw new EvalError('the value is not an address in simulated memory');
        return { kind: 'scalar', value: 0n, type, typeName: typeToString(type) };
      }
      return { kind: 'scalar', value: target.region === null ? 0n : target, type, typeName: typeToString(type) };
    }
    if (rt.kind === 'int' || rt.kind === 'enum') {
      const { size, signed } = rt.kind === 'int' ? rt : rt.info.underlying;
      const v = this.int(place);
      const bits = size * 8;
      return { kind: 'scalar', value: signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v), type, typeName: typeToString(type) };
    }
    throw new EvalError(`cannot cast to ${typeToString(type)} in a watch expression`);
  }

  private typeName(node: ast.TypeName): CType {
    const typed = this.reader.typeOf(node);
    if ('error' in typed) throw new EvalError(typed.error);
    return typed.type;
  }

  /** Checks an operand C would not evaluate (the undecided side of `&&`, `?:`, sizeof's operand) without reading it. */
  private skipped<T>(f: () => T): T {
    const was = this.skipping;
    this.skipping = true;
    try { return f(); } finally { this.skipping = was; }
  }

  private int(place: Place): bigint {
    if (this.skipping) return 0n;
    const v = this.inspector.intValue(place);
    if (v === undefined) throw new EvalError('not a scalar value');
    return v;
  }

  private typeOf(place: Place): CType | undefined { return place.type; }

  /** What a pointer points to, or an array's element type (an array decays to a pointer in arithmetic). */
  private pointee(place: Place): CType | undefined {
    const rt = place.type ? resolve(place.type) : undefined;
    return rt?.kind === 'pointer' ? rt.to : rt?.kind === 'array' && place.kind === 'memory' ? rt.of : undefined;
  }

  private deref(place: Place, byteOffset: number): Place {
    if (this.skipping) return integer(0n);
    const type = this.typeOf(place);
    const rt = type ? resolve(type) : undefined;
    if (rt?.kind === 'array') {
      if (place.kind !== 'memory') throw new EvalError('cannot index this value');
      return { kind: 'memory', ptr: { region: place.ptr.region, offset: place.ptr.offset + byteOffset }, type: rt.of };
    }
    if (rt?.kind !== 'pointer') throw new EvalError('not a pointer');
    const target = this.inspector.pointerTarget(place);
    if (target === undefined || target.region === null) throw new EvalError('NULL or invalid pointer');
    return { kind: 'memory', ptr: { region: target.region, offset: target.offset + byteOffset }, type: rt.to };
  }

  private index(place: Place, index: bigint): Place {
    if (this.skipping) return integer(0n);
    const type = this.typeOf(place);
    const rt = type ? resolve(type) : undefined;
    const element = rt?.kind === 'array' ? rt.of : rt?.kind === 'pointer' ? rt.to : undefined;
    if (element === undefined) throw new EvalError('subscripted value is not an array or pointer');
    return this.deref(place, Number(index) * sizeOfShown(resolve(element)));
  }

  private member(place: Place, name: string): Place {
    if (this.skipping) return integer(0n);
    if (place.kind !== 'memory') throw new EvalError(`member ${name} of a value that is not in memory`);
    const rt = resolve(place.type);
    if (rt.kind !== 'record') throw new EvalError(`member ${name} of a value that is not a struct or union`);
    const found = findField(rt.record.fields, name, 0);
    if (found === undefined) throw new EvalError(`no member named ${name}`);
    return { kind: 'memory', ptr: { region: place.ptr.region, offset: place.ptr.offset + found.offset }, type: found.type };
  }
}

function describe(node: ast.Expression): string {
  switch (node.kind) {
    case 'FloatLiteral': return 'a floating-point literal';
    case 'StringLiteral': return 'a string literal';
    case 'CompoundLiteral': return 'a compound literal';
    default: return `a ${node.kind} expression`;
  }
}

/** A named member, looking into anonymous struct/union members as C does. */
function findField(fields: ReadonlyArray<{ name?: string; type: CType; offset: number }>, name: string, base: number): { type: CType; offset: number } | undefined {
  for (const f of fields) {
    if (f.name === name) return { type: f.type, offset: base + f.offset };
    if (f.name === undefined) {
      const rt = resolve(f.type);
      if (rt.kind === 'record') {
        const inner = findField(rt.record.fields, name, base + f.offset);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

function integer(value: bigint): Place {
  return { kind: 'scalar', value: BigInt.asIntN(64, value), type: LONG, typeName: 'long long' };
}

function applyBinary(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0n) throw new EvalError('division by zero'); return a / b;
    case '%': if (b === 0n) throw new EvalError('division by zero'); return a % b;
    case '<<': return a << (b & 63n);
    case '>>': return a >> (b & 63n);
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
  }
  throw new EvalError(`operator ${op} is not supported`);
}

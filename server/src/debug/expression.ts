/**
 * Watch, hover and breakpoint-condition expressions in C syntax, evaluated over the paused program's values:
 * names, integer literals, `->`, `.`, `[i]`, unary `*`, `-`, `!`, and the binary arithmetic, comparison and
 * logical operators with C precedence. Nothing here runs code: it reads memory, so a condition has no side effects.
 */
import type { CType } from '../lang/types';
import { resolve } from '../lang/types';
import { Inspector, sizeOfShown, type Place } from './inspect';

export class EvalError extends Error {}

type Token = { kind: 'name' | 'num' | 'op'; text: string };

const OPS = ['->', '<=', '>=', '==', '!=', '&&', '||', '<<', '>>', '.', '[', ']', '(', ')', '*', '-', '+', '!', '/', '%', '<', '>', '&', '|', '^', '~'];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    const name = /^[A-Za-z_]\w*/.exec(text.slice(i));
    if (name) { out.push({ kind: 'name', text: name[0] }); i += name[0].length; continue; }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(text.slice(i));
    if (num) { out.push({ kind: 'num', text: num[1] }); i += num[0].length; continue; }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new EvalError(`unexpected '${c}' in the expression`);
    out.push({ kind: 'op', text: op });
    i += op.length;
  }
  return out;
}

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

const LONG: CType = { kind: 'int', name: 'long long', size: 8, signed: true, rank: 5 };

export class ExpressionEvaluator {
  private tokens: Token[] = [];
  private at = 0;
  private skipping = false;

  constructor(private readonly inspector: Inspector, private readonly lookup: (name: string) => Place | undefined) {}

  evaluate(text: string): Place {
    this.tokens = tokenize(text);
    this.at = 0;
    this.skipping = false;
    if (this.tokens.length === 0) throw new EvalError('empty expression');
    const result = this.binary(0);
    if (this.at < this.tokens.length) throw new EvalError(`unexpected '${this.tokens[this.at].text}'`);
    return result;
  }

  /** A condition's truth: non-zero integer or non-NULL pointer. */
  truthy(text: string): boolean {
    const v = this.inspector.intValue(this.evaluate(text));
    if (v === undefined) throw new EvalError('the condition is not a scalar');
    return v !== 0n;
  }

  private peek(): Token | undefined { return this.tokens[this.at]; }
  private eat(text: string): boolean {
    if (this.peek()?.text === text && this.peek()?.kind === 'op') { this.at++; return true; }
    return false;
  }

  private binary(minPrecedence: number): Place {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const p = t?.kind === 'op' ? BINARY[t.text] : undefined;
      if (t === undefined || p === undefined || p < minPrecedence) break;
      this.at++;
      const l = this.skipping ? 0n : this.int(left);
      // `key && key->x`: when the left side decides, the right side is parsed but not read, as C short-circuits.
      const decided = (t.text === '&&' && l === 0n) || (t.text === '||' && l !== 0n);
      const wasSkipping = this.skipping;
      this.skipping = wasSkipping || decided;
      const right = this.binary(p + 1);
      this.skipping = wasSkipping;
      left = this.skipping ? integer(0n) : decided ? integer(t.text === '||' ? 1n : 0n) : integer(applyBinary(t.text, l, this.int(right)));
    }
    return left;
  }

  private unary(): Place {
    if (this.eat('*')) return this.deref(this.unary(), 0);
    if (this.eat('-')) return integer(-this.int(this.unary()));
    if (this.eat('!')) { const v = this.int(this.unary()); return integer(v === 0n ? 1n : 0n); }
    if (this.eat('~')) return integer(~this.int(this.unary()));
    return this.postfix();
  }

  private postfix(): Place {
    let place = this.primary();
    for (;;) {
      if (this.eat('->')) place = this.member(this.deref(place, 0), this.name());
      else if (this.eat('.')) place = this.member(place, this.name());
      else if (this.eat('[')) {
        const index = this.int(this.binary(0));
        if (!this.eat(']')) throw new EvalError("expected ']'");
        place = this.index(place, index);
      } else return place;
    }
  }

  private primary(): Place {
    const t = this.peek();
    if (t === undefined) throw new EvalError('the expression ends too early');
    this.at++;
    if (t.kind === 'num') return integer(BigInt(t.text));
    if (t.kind === 'name') {
      const place = this.lookup(t.text);
      if (place === undefined && this.skipping) return integer(0n);
      if (place === undefined) throw new EvalError(`no variable named ${t.text} here`);
      return place;
    }
    if (t.text === '(') {
      const inner = this.binary(0);
      if (!this.eat(')')) throw new EvalError("expected ')'");
      return inner;
    }
    throw new EvalError(`unexpected '${t.text}'`);
  }

  private name(): string {
    const t = this.peek();
    if (t?.kind !== 'name') throw new EvalError('expected a member name');
    this.at++;
    return t.text;
  }

  private int(place: Place): bigint {
    if (this.skipping) return 0n;
    const v = this.inspector.intValue(place);
    if (v === undefined) throw new EvalError('not a scalar value');
    return v;
  }

  private typeOf(place: Place): CType | undefined {
    return place.kind === 'memory' ? place.type : place.type;
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
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new EvalError(`operator ${op} is not supported`);
}

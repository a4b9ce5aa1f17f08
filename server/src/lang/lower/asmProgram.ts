/**
 * Small BPF assembly programs in `asm volatile`, the shapes projects write so the verifier sees what clang would
 * optimize away: a clamp (`if %0 <= %[max] goto +1; %0 = %[max]`, libbpf-tools' clamp_umax), a bound that zeroes an
 * offset (sched_ext's MEMBER_VPTR: `if %0 <= %[max] goto +2; %0 = 0; goto +1; %0 += %1`), an errno filter
 * (tetragon's `if %0 s< -4095 goto +1; if %0 s<= 0 goto +1; %0 = -1`), masks with an `"i"` operand (`%[len] &= %1`).
 *
 * The operands are 64-bit registers (u64 temps; s64 for those only signed comparisons read, `signedRegisters`). An operand of a narrower C type is in a register whose upper bits are whatever
 * clang's code left there (measured with clang 14: `x = map->id * 0x12345` on a `__u32` is passed as the 64-bit
 * product, not truncated; an `int` computed as `id - 7` is passed zero-extended, not sign-extended). So instructions
 * whose low bits depend only on the operands' low bits (moves, add, sub, mul, and, or, xor, left shifts) are simulated
 * on any integer operand, and comparisons and right shifts only on 64-bit ones; anything else is not simulated (the
 * caller warns, BPF1390). Jumps go forward only (the assembler takes backward ones, which loop; none of the shapes).
 */
import { BinaryOp, Expr, IntType, Loc, Stmt, U64, S64, S32 } from '../ir';

/** A register operand (its index among the statement's operands) or an immediate. */
export type AsmSource = { kind: 'register'; operand: number } | { kind: 'immediate'; value: bigint };

export type AsmAluOperator = 'add' | 'sub' | 'mul' | 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'sar';
/**
 * BPF's conditional jumps: `>` ... `<=` unsigned, `s>` ... `s<=` signed. Not `&` (JSET): clang 14's assembler refuses
 * `if r1 & 4 goto +1` ("invalid operand for instruction").
 */
export type AsmCompare = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sgt' | 'sge' | 'slt' | 'sle';

export type AsmInstruction =
  | { kind: 'alu'; dst: number; operator: AsmAluOperator; src: AsmSource }
  | { kind: 'move'; dst: number; src: AsmSource }
  /** `goto +offset`, or `if left compare right goto +offset`: skips `offset` instructions. */
  | { kind: 'jump'; offset: number; condition?: { left: number; compare: AsmCompare; right: AsmSource } };

/** What the parser needs of the statement's operands. */
export interface AsmOperandFacts {
  /** `%N` or `%[name]`: the operand's index, undefined when there is none. */
  indexOf(name: string | undefined, position: string | undefined): number | undefined;
  /** An `"i"` operand's constant value; undefined for a register operand. */
  immediateOf(operand: number): bigint | undefined;
  /** Whether a register operand is a 64-bit integer (its register holds exactly its value). */
  isWide(operand: number): boolean;
}

const ALU: Readonly<Record<string, AsmAluOperator>> = {
  '+=': 'add', '-=': 'sub', '*=': 'mul', '&=': 'and', '|=': 'or', '^=': 'xor', '<<=': 'shl', '>>=': 'shr', 's>>=': 'sar',
};
const COMPARE: Readonly<Record<string, AsmCompare>> = {
  '==': 'eq', '!=': 'ne', '>': 'gt', '>=': 'ge', '<': 'lt', '<=': 'le', 's>': 'sgt', 's>=': 'sge', 's<': 'slt', 's<=': 'sle',
};
/** The operators whose result's low bits depend on the operands' upper bits: 64-bit operands only. */
const READS_UPPER_BITS = new Set<AsmAluOperator>(['shr', 'sar']);

const OPERAND = String.raw`%(?:\[(\w+)\]|(\d+))`;
const IMMEDIATE = String.raw`-?(?:0x[0-9a-fA-F]+|\d+)`;
const ALU_INSTRUCTION = new RegExp(String.raw`^${OPERAND}\s*(\+=|-=|\*=|&=|\|=|\^=|<<=|s>>=|>>=|=)\s*(?:${OPERAND}|(${IMMEDIATE}))$`);
const JUMP_INSTRUCTION = new RegExp(String.raw`^(?:if\s+${OPERAND}\s*(==|!=|s>=|s<=|s>|s<|>=|<=|>|<)\s*(?:${OPERAND}|(${IMMEDIATE}))\s+)?goto\s+\+?(\d+)$`);

/** Most instructions a program may have: the lowering copies the code after a jump on both of its paths. */
export const MAX_ASM_INSTRUCTIONS = 8;

/** The instructions of a template, or undefined when one is not of the simulated shapes. */
export function parseAsmProgram(instructions: string, facts: AsmOperandFacts): AsmInstruction[] | undefined {
  const lines = instructions.split(/[\n;]/).map((i) => i.trim()).filter((i) => i !== '');
  if (lines.length === 0 || lines.length > MAX_ASM_INSTRUCTIONS) return undefined;
  const register = (name: string | undefined, position: string | undefined): number | undefined => {
    const operand = facts.indexOf(name, position);
    return operand !== undefined && facts.immediateOf(operand) === undefined ? operand : undefined;
  };
  const source = (name: string | undefined, position: string | undefined, literal: string | undefined): AsmSource | undefined => {
    if (literal !== undefined) return immediate(BigInt(literal.startsWith('-') ? -BigInt(literal.slice(1)) : BigInt(literal)));
    const operand = facts.indexOf(name, position);
    if (operand === undefined) return undefined;
    const value = facts.immediateOf(operand);
    return value !== undefined ? immediate(value) : { kind: 'register', operand };
  };
  const program: AsmInstruction[] = [];
  for (const line of lines) {
    const alu = ALU_INSTRUCTION.exec(line);
    if (alu) {
      const dst = register(alu[1], alu[2]);
      const src = source(alu[4], alu[5], alu[6]);
      if (dst === undefined || !src) return undefined;
      if (alu[3] === '=') { program.push({ kind: 'move', dst, src }); continue; }
      const operator = ALU[alu[3]];
      if (READS_UPPER_BITS.has(operator) && !facts.isWide(dst)) return undefined;
      program.push({ kind: 'alu', dst, operator, src });
      continue;
    }
    const jump = JUMP_INSTRUCTION.exec(line);
    if (!jump) return undefined;
    const offset = Number(jump[7]);
    if (jump[3] === undefined) { program.push({ kind: 'jump', offset }); continue; }
    const left = register(jump[1], jump[2]);
    const right = source(jump[4], jump[5], jump[6]);
    if (left === undefined || !right) return undefined;
    // a comparison reads all 64 bits of its registers
    if (!facts.isWide(left) || (right.kind === 'register' && !facts.isWide(right.operand))) return undefined;
    program.push({ kind: 'jump', offset, condition: { left, compare: COMPARE[jump[3]], right } });
  }
  for (const [i, instruction] of program.entries()) {
    if (instruction.kind === 'jump' && i + 1 + instruction.offset > program.length) return undefined; // out of the program
  }
  return program;
}

/** An instruction's immediate is 32 bits, sign-extended to 64 (an assembler refuses wider). */
function fitsImmediate(value: bigint): boolean { return value >= -(1n << 31n) && value < 1n << 32n; }

function immediate(value: bigint): AsmSource | undefined {
  return fitsImmediate(value) ? { kind: 'immediate', value: BigInt.asUintN(64, BigInt.asIntN(32, value)) } : undefined;
}

/** What the lowering gives the program: a 64-bit temp per register operand, and each operand's value and store. */
export interface AsmRegisters {
  /** The temp (a 64-bit local, signed when `signedRegisters` has the operand) that is operand `operand`'s register. */
  temp(operand: number): number;
  /** Whether the register holds a value when the program starts (an `=r` output does not: reading it first is garbage). */
  startsDefined(operand: number): boolean;
  /** The operands stored back after the program: each must hold a value on every path. */
  outputs: readonly number[];
}

/**
 * The registers a signed comparison reads and no unsigned one does: their temps are signed, so the comparison narrows
 * the temp itself, as the verifier narrows the register's signed bounds (the checker keeps one range per local, in its
 * type: a comparison through a conversion would not narrow it).
 */
export function signedRegisters(program: readonly AsmInstruction[]): Set<number> {
  const signed = new Set<number>();
  const unsigned = new Set<number>();
  for (const instruction of program) {
    if (instruction.kind !== 'jump' || !instruction.condition) continue;
    const { left, compare, right } = instruction.condition;
    const into = compare.startsWith('s') ? signed : compare === 'eq' || compare === 'ne' ? undefined : unsigned;
    if (!into) continue;
    into.add(left);
    if (right.kind === 'register') into.add(right.operand);
  }
  for (const operand of unsigned) signed.delete(operand);
  return signed;
}

/** The IR type of a register's temp: signed for the registers `signedRegisters()` found, else unsigned. */
export function registerTempType(signed: ReadonlySet<number>, operand: number): IntType { return signed.has(operand) ? S64 : U64; }

const ALU_OPS: Readonly<Record<Exclude<AsmAluOperator, 'sar'>, BinaryOp>> = {
  add: 'add', sub: 'sub', mul: 'mul', and: 'and', or: 'or', xor: 'xor', shl: 'shl', shr: 'shr',
};

/**
 * The program as statements on the register temps: each path through the forward jumps is spelled out (the code after
 * a conditional jump is copied on both branches, as the verifier walks both), so there is no jump left. Undefined when
 * a path reads a register nothing wrote. `signed`: `signedRegisters(program)`, the temps that are signed.
 */
export function lowerAsmProgram(program: readonly AsmInstruction[], registers: AsmRegisters, signed: ReadonlySet<number>, loc: Loc): Stmt[] | undefined {
  const typeOf = (operand: number): IntType => registerTempType(signed, operand);
  const local = (operand: number): Expr => ({ op: 'local', id: registers.temp(operand), type: typeOf(operand), loc });
  /** A value as `type` (the same 64 bits): an immediate's constant, or a register's temp, converted when its type differs. */
  const as = (e: Expr, type: IntType): Expr => (e.type === type ? e : { op: 'convert', operand: e, type, loc });
  const value = (source: AsmSource, type: IntType): Expr => (source.kind === 'immediate'
    ? { op: 'const', type, value: type.signed ? BigInt.asIntN(64, source.value) : source.value, loc }
    : as(local(source.operand), type));
  const assign = (operand: number, e: Expr): Stmt => ({ op: 'expr', expr: { op: 'assign', id: registers.temp(operand), value: as(e, typeOf(operand)), type: typeOf(operand), loc }, loc });
  const alu = (dst: number, operator: AsmAluOperator, src: AsmSource): Expr => {
    // a right shift is logical on an unsigned value, arithmetic on a signed one (ir.ts BinaryOp)
    const type = operator === 'sar' ? S64 : operator === 'shr' ? U64 : typeOf(dst);
    return { op: 'binary', kind: operator === 'sar' ? 'shr' : ALU_OPS[operator], left: as(local(dst), type), right: value(src, type), type, loc };
  };
  const condition = (left: number, compare: AsmCompare, right: AsmSource): Expr => {
    const isSigned = compare.startsWith('s');
    const type = isSigned ? S64 : compare === 'eq' || compare === 'ne' ? typeOf(left) : U64;
    const kind = (isSigned ? compare.slice(1) : compare) as BinaryOp;
    return { op: 'binary', kind, left: as(local(left), type), right: value(right, type), type: S32, loc };
  };
  const path = (at: number, defined: ReadonlySet<number>): Stmt[] | undefined => {
    const statements: Stmt[] = [];
    const written = new Set(defined);
    const reads = (source: AsmSource) => source.kind === 'immediate' || written.has(source.operand);
    for (let i = at; i < program.length; i++) {
      const instruction = program[i];
      if (instruction.kind === 'move') {
        if (!reads(instruction.src)) return undefined;
        statements.push(assign(instruction.dst, value(instruction.src, typeOf(instruction.dst))));
        written.add(instruction.dst);
      } else if (instruction.kind === 'alu') {
        if (!written.has(instruction.dst) || !reads(instruction.src)) return undefined;
        statements.push(assign(instruction.dst, alu(instruction.dst, instruction.operator, instruction.src)));
      } else if (!instruction.condition) {
        i += instruction.offset;
      } else {
        const { left, compare, right } = instruction.condition;
        if (!written.has(left) || !reads(right)) return undefined;
        const taken = path(i + 1 + instruction.offset, written);
        const fallThrough = path(i + 1, written);
        if (!taken || !fallThrough) return undefined;
        statements.push({ op: 'if', test: condition(left, compare, right), then: { op: 'block', body: taken, loc }, else: { op: 'block', body: fallThrough, loc }, loc });
        return statements;
      }
    }
    return registers.outputs.every((o) => written.has(o)) ? statements : undefined;
  };
  const start = new Set<number>();
  for (const instruction of program) {
    for (const operand of operandsOf(instruction)) if (registers.startsDefined(operand)) start.add(operand);
  }
  return path(0, start);
}

/** The register operands an instruction names. */
export function operandsOf(instruction: AsmInstruction): number[] {
  const sourceOperand = (s: AsmSource) => (s.kind === 'register' ? [s.operand] : []);
  if (instruction.kind === 'jump') return instruction.condition ? [instruction.condition.left, ...sourceOperand(instruction.condition.right)] : [];
  return [instruction.dst, ...sourceOperand(instruction.src)];
}

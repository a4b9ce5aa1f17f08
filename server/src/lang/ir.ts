/**
 * The executable IR of an iterator program: what the checker's dataflow analyses (nullness, access sizes,
 * return range, loops) and the executor (interpreter for debugging, generated JS for speed) work on.
 * It is produced from the checked AST by `lower/` and is close to what the verifier sees: explicit
 * loads and stores with constant offsets and sizes, explicit integer widths, explicit pointer arithmetic,
 * structured control flow (goto becomes loops with labeled break/continue). Every node carries the source range it came from.
 *
 * Values are of two kinds: integers (bigint, always normalised to their width: unsigned values in
 * [0, 2^bits), signed in [-2^(bits-1), 2^(bits-1))) and pointers (a memory region plus a byte offset, or
 * NULL). Aggregates (structs, arrays) live only in memory: a struct local is a stack slot.
 */

/** Source location: file id (of the front end's file table) and UTF-16 offsets [pos, end). */
export interface Loc { file: number; pos: number; end: number }

export type IntBits = 8 | 16 | 32 | 64;
export interface IntType { kind: 'int'; bits: IntBits; signed: boolean }
export interface PtrType {
  kind: 'ptr';
  /** Size of the pointee in bytes for arithmetic scaling (0 for void, treated as 1 like GNU C). */
  pointeeSize: number;
  /** Display name of the C type, for the debugger and messages ("struct flow_key *"). */
  cName: string;
}
export interface VoidType { kind: 'void' }
export type ScalarType = IntType | PtrType;
export type IrType = ScalarType | VoidType;

export const U8: IntType = { kind: 'int', bits: 8, signed: false };
export const U16: IntType = { kind: 'int', bits: 16, signed: false };
export const U32: IntType = { kind: 'int', bits: 32, signed: false };
export const U64: IntType = { kind: 'int', bits: 64, signed: false };
export const S8: IntType = { kind: 'int', bits: 8, signed: true };
export const S16: IntType = { kind: 'int', bits: 16, signed: true };
export const S32: IntType = { kind: 'int', bits: 32, signed: true };
export const S64: IntType = { kind: 'int', bits: 64, signed: true };
export const VOID: VoidType = { kind: 'void' };

/** The value an integer of `type` holds for `value`: wrapped to its width, two's complement when signed. */
export function wrapTo(value: bigint, type: IntType): bigint {
  return type.signed ? BigInt.asIntN(type.bits, value) : BigInt.asUintN(type.bits, value);
}

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'rem'          // div/rem signedness from the operand type
  | 'and' | 'or' | 'xor' | 'shl' | 'shr'           // shr: arithmetic for signed, logical for unsigned
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';       // comparisons: result is an int (0/1) of `type`

export type UnaryOp = 'neg' | 'not' | 'lnot';

/** Where a pointer-valued leaf points. */
export type AddressBase =
  /** A local's stack slot (address-taken scalars, structs, arrays). */
  | { kind: 'stack'; slot: number }
  /** A global variable, in the map of its section (.bss/.data/.rodata/...), at an offset. */
  | { kind: 'global'; section: string; offset: number; name: string }
  /** A string literal, in .rodata.str1.1 (or the format's own static array). */
  | { kind: 'string'; index: number }
  /** `&map` of a SEC(".maps") map: its struct bpf_map. */
  | { kind: 'map'; name: string };

/** The helper id libbpf writes into an instruction whose CO-RE relocation failed (bpf_core_poison_insn). */
export const CORE_POISON_HELPER_ID = 0xbad2310;

export type Expr =
  | { op: 'const'; type: IntType; value: bigint; loc: Loc }
  | { op: 'null'; type: PtrType; loc: Loc }
  | { op: 'param'; index: number; type: ScalarType; loc: Loc }
  | { op: 'local'; id: number; type: ScalarType; loc: Loc }
  | { op: 'assign'; id: number; value: Expr; type: ScalarType; loc: Loc }
  | { op: 'addr'; base: AddressBase; type: PtrType; loc: Loc }
  /** Integer load of `type.bits/8` bytes at ptr+offset. */
  | { op: 'load'; ptr: Expr; offset: number; type: IntType; loc: Loc; core?: boolean }
  /** Pointer load (8 bytes): the stored address is resolved back to a region. */
  | { op: 'loadPtr'; ptr: Expr; offset: number; type: PtrType; loc: Loc; core?: boolean }
  /** Store of `size` bytes; the value is the expression's value (stores yield the stored value, like C). */
  | { op: 'store'; ptr: Expr; offset: number; size: 1 | 2 | 4 | 8; value: Expr; type: ScalarType; loc: Loc }
  /**
   * memcpy/memset-like block operations (struct assignment, __builtin_memcpy, zero-initialisation). `length`: a
   * `__builtin_memcpy`/`__builtin_memset` whose size is no constant expression of C (a size parameter of an inline
   * helper, a clamped `__builtin_strlen` of a literal): clang builds it only where constant folding after inlining
   * makes it a constant, and refuses the libc call elsewhere; `size` is 0 then, the checker decides at each call
   * (BPF1230, naming `libcall`, the call clang would need) and a run copies `length` bytes.
   */
  | { op: 'copy'; dst: Expr; src: Expr; size: number; length?: Expr; libcall?: 'memcpy' | 'memmove'; type: VoidType; loc: Loc }
  | { op: 'fill'; dst: Expr; byte: number; size: number; length?: Expr; libcall?: 'memset'; type: VoidType; loc: Loc }
  /**
   * `signedDivisionUnproven`: a signed div or rem the build's CPU has no instruction for (before v4), whose operands
   * clang's known bits do not make non-negative (knownBits.ts); clang compiles it only if a condition on the path does
   * (the checker decides, BPF2059).
   */
  | { op: 'binary'; kind: BinaryOp; left: Expr; right: Expr; type: IntType; loc: Loc; signedDivisionUnproven?: true }
  | { op: 'unary'; kind: UnaryOp; operand: Expr; type: IntType; loc: Loc }
  /** Integer conversion to `type` (truncation, sign or zero extension from the operand's type). */
  | { op: 'convert'; operand: Expr; type: IntType; loc: Loc }
  /** ptr + index * scale (scale in bytes; index is a signed 64-bit int). */
  | { op: 'ptrAdd'; ptr: Expr; index: Expr; scale: number; type: PtrType; loc: Loc }
  /** (a - b) / scale, both pointing into the same region. */
  | { op: 'ptrDiff'; left: Expr; right: Expr; scale: number; type: IntType; loc: Loc }
  | { op: 'ptrCompare'; kind: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; left: Expr; right: Expr; type: IntType; loc: Loc }
  /** The pointer's address as a u64 (0 for NULL). */
  | { op: 'ptrToInt'; operand: Expr; type: IntType; loc: Loc }
  /** An integer used as a pointer: 0 is NULL, anything else is resolved in kernel memory (may be invalid). */
  | { op: 'intToPtr'; operand: Expr; type: PtrType; loc: Loc }
  /** Reinterpretation between pointer types (casts): same value, new static type. */
  | { op: 'ptrCast'; operand: Expr; type: PtrType; loc: Loc }
  /** Short-circuit && / ||; operands are ints or pointers compared against zero. Result int 0/1. */
  | { op: 'logical'; kind: 'and' | 'or'; left: Expr; right: Expr; type: IntType; loc: Loc }
  | { op: 'conditional'; test: Expr; then: Expr; else: Expr; type: ScalarType; loc: Loc }
  /** `a, b`: evaluate both, value of b. */
  | { op: 'sequence'; first: Expr; second: Expr; type: IrType; loc: Loc }
  /**
   * A function designator used as a value (C decays it to a pointer): a static function of this object (a
   * callback for bpf_loop()/bpf_for_each_map_elem(), what the verifier calls PTR_TO_FUNC) or a kfunc that libbpf
   * resolved in the kernel's BTF. An unresolved `__weak` kfunc is lowered to `null` instead (libbpf writes 0).
   */
  | { op: 'funcAddr'; target: FuncAddrTarget; type: PtrType; loc: Loc }
  /** A BPF helper or kfunc by name; pointer arguments are passed as addresses. */
  | {
    op: 'callHelper'; name: string; helperId: number; args: Expr[]; type: IrType; loc: Loc;
    /**
     * A function without a body that libbpf cannot resolve, so the object does not open: `implicit`, called without a
     * declaration (clang 14 warns and emits an extern without BTF); `notKsym`, declared extern outside `.ksyms`.
     */
    externUnresolved?: 'implicit' | 'notKsym';
    /**
     * The function carries clang's `error` attribute (a compile-time assertion: `extern void f(void)
     * __attribute__((error("msg")))` called where a condition fails): clang refuses the build if the call is still there
     * after optimization, so a built object never calls it. The attribute's message.
     */
    compileTimeError?: string;
  }
  /** A call of another function of the program (static inline or a BPF subprogram). */
  | { op: 'call'; func: number; args: Expr[]; type: IrType; loc: Loc }
  /** GNU statement expression `({ ...; value; })`: runs `body`, then yields `value` (void when absent). */
  | { op: 'stmtExpr'; body: Stmt; value?: Expr; type: IrType; loc: Loc };

export type FuncAddrTarget = { kind: 'subprog'; func: number } | { kind: 'kfunc'; name: string };

export type Stmt =
  | { op: 'expr'; expr: Expr; loc: Loc }
  | { op: 'block'; body: Stmt[]; loc: Loc }
  | { op: 'if'; test: Expr; then: Stmt; else?: Stmt; loc: Loc }
  /**
   * All loops: `for (init; test; update) body`; while: no init/update; do-while: testFirst false. `label` names the
   * loop for a labeled break/continue; the lowering of goto makes loops too (lower/statements.ts, `gotoRegions`).
   */
  | { op: 'loop'; init?: Stmt; test?: Expr; update?: Expr; body: Stmt; testFirst: boolean; label?: number; loc: Loc }
  /** Leaves the innermost loop or switch, or with `label` the enclosing loop or switch of that label. */
  | { op: 'break'; label?: number; loc: Loc }
  /** Goes to the next iteration of the innermost loop, or with `label` of the enclosing loop of that label. */
  | { op: 'continue'; label?: number; loc: Loc }
  | { op: 'return'; value?: Expr; loc: Loc }
  | { op: 'switch'; test: Expr; cases: Array<{ values: bigint[] | 'default'; body: Stmt[]; loc: Loc }>; label?: number; loc: Loc }
  /** Declares a scalar local (or a stack slot) at this point, with an optional initial value. */
  | { op: 'declare'; id: number; init?: Expr; loc: Loc };

/** A local variable: a JS-level scalar, or a stack slot when its address is taken or it is an aggregate. */
export interface Local {
  id: number;
  name: string;
  /** Display name of the C type, for the debugger. */
  cType: string;
  /** Scalar locals have a type; slot locals have `slot` and live in the stack region. */
  type?: ScalarType;
  slot?: number;
  isParam: boolean;
  loc: Loc;
}

/** A stack slot: `offset` is its byte position in the function's frame, [0, stackSize). */
/**
 * `below` is the slot allocated just under it, live while it is: slots of blocks that are no longer open are reused
 * by later blocks, as clang's stack coloring reuses the slots of locals whose lifetimes (their blocks) do not overlap.
 */
export interface StackSlot { id: number; offset: number; size: number; align: number; local?: number; below?: number }

export interface IrFunction {
  index: number;
  name: string;
  params: number[];
  returnType: IrType;
  locals: Local[];
  slots: StackSlot[];
  /** Bytes of stack this function uses (the verifier's limit is 512 per program, combined along calls). */
  stackSize: number;
  body: Stmt;
  loc: Loc;
  /** A function with external linkage (not `static`): the verifier refuses it as a callback. */
  global?: boolean;
  /**
   * A global `__noinline` function (not hidden, no `arg:` decl tags): a real call clang keeps, which the verifier
   * checks on its own from its BTF prototype (btf_prepare_func_args()): integer arguments are unknown scalars, a
   * pointer to a sized type is memory of that size that may be NULL, and only an integer return is supported.
   */
  globalSignature?: GlobalSignature;
  /**
   * Constructs lowering could not express (replaced by a constant, with a BPF1390 warning): a run that reaches
   * this function stops with an error naming the first, instead of computing with the stand-in.
   */
  unsupported?: Array<{ what: string; loc: Loc }>;
}

/** What btf_prepare_func_args() makes of a global function's prototype. */
export interface GlobalSignature {
  returnsScalar: boolean;
  /** `mem`: ARG_PTR_TO_MEM | PTR_MAYBE_NULL of `size` bytes; `unsized`: a pointer to void or an incomplete type. */
  args: Array<{ kind: 'scalar' } | { kind: 'mem'; size: number } | { kind: 'unsized'; type: string }>;
}

/** A global variable in a data section, as libbpf lays them out in the section's map. */
export interface IrGlobal { name: string; section: string; offset: number; size: number; readonly: boolean; init?: Uint8Array; cType: string; loc: Loc }

/** A map defined in SEC(".maps"). */
export interface IrMapDef {
  name: string; type: string; key_size: number; value_size: number; max_entries: number; map_flags: number; loc: Loc;
  /** key and value given as types (`__type(key, ...)`): libbpf creates the map with btf_key/value_type_id, which
   * sk_storage and the other local-storage maps need (bpf_local_storage_map_check_btf()). */
  btf?: boolean;
  /** A map of maps' `__array(values, struct inner)`: the template libbpf creates the map with. */
  inner?: { type: string; key_size: number; value_size: number; max_entries: number; map_flags: number };
  /** `.values = { [i] = &map }`: the slots libbpf fills after creating the maps (init_slots). */
  slots?: Array<{ index: number; map: string }>;
  /** `__uint(pinning, LIBBPF_PIN_BY_NAME)`: libbpf pins the map by its name, so it outlives the object. */
  pinned?: boolean;
}

export interface IrProgram {
  /** Iterator programs: index into `functions` of each SEC("iter/...") entry. */
  entries: Array<{ func: number; section: string; target: string; sleepable: boolean }>;
  functions: IrFunction[];
  globals: IrGlobal[];
  /** Section name -> size, for .bss/.data/.rodata/.rodata.str1.1 maps (libbpf names them <obj>.<sec>). */
  sections: Array<{ name: string; size: number; readonly: boolean }>;
  strings: Uint8Array[];
  maps: IrMapDef[];
  license: string | null;
}

/**
 * The callee of a `callHelper` that stands for a value lowering cannot express (a struct-valued call read through a
 * pointer, say): lowering has reported the construct as not simulated, the checker assumes nothing of the value
 * (no error may follow from it), and a run that reaches it stops.
 */
export const UNSIMULATED_VALUE = '__bpf_iter_lab_unsimulated';

/**
 * clang's `__builtin_strlen`, a `callHelper` of id -2 when its argument is no constant of C: clang folds it where
 * constant propagation makes the argument a string constant (a literal passed to an inline helper), and calls the
 * library's `strlen` elsewhere, which libbpf cannot resolve (the checker's BPF2080).
 */
export const CLANG_STRLEN = '__builtin_strlen';
/**
 * clang's `__builtin_constant_p`, a `callHelper` of id -2 when C does not make its operand a constant: clang answers
 * after inlining and constant propagation (an inline helper's result for a literal argument is a constant). The
 * checker answers 1 where it knows the operand's value, else 0; a run answers 1 (its two uses: compile-time
 * assertions, which a built object passed, and a constant-folding shortcut that computes the same value).
 */
export const CLANG_CONSTANT_P = '__builtin_constant_p';
/** The longest string a folded strlen measures (a literal of the program: far shorter). */
export const STRLEN_LIMIT = 1 << 16;

/**
 * clang's builtins that stay calls in the IR because C does not make their operands constants (lang/ir.ts), as a run
 * computes them: what the object clang builds computes at those places.
 */
import { CLANG_CONSTANT_P, CLANG_STRLEN, STRLEN_LIMIT } from '../lang/ir';

export type BuiltinInvoker = (args: bigint[]) => bigint;

/** The builtin `name` as a run computes it; undefined when `name` is none of them. */
export function clangBuiltinInvoker(name: string, readString: (address: bigint, limit: number) => Uint8Array | null, fault: (message: string) => never): BuiltinInvoker | undefined {
  if (name.startsWith('__builtin_bswap')) {
    const bits = Number(name.slice('__builtin_bswap'.length));
    return (args) => {
      let v = BigInt.asUintN(bits, args[0] ?? 0n);
      let out = 0n;
      for (let i = 0; i < bits / 8; i++) { out = (out << 8n) | (v & 0xffn); v >>= 8n; }
      return out;
    };
  }
  // clang folds it where its argument is a constant string (the checker refuses the rest, BPF2080): the same length
  if (name === CLANG_STRLEN) {
    return (args) => {
      const bytes = readString(args[0] ?? 0n, STRLEN_LIMIT);
      if (bytes === null) fault(`__builtin_strlen of address 0x${BigInt.asUintN(64, args[0] ?? 0n).toString(16)}, which holds no string`);
      return BigInt(bytes.length);
    };
  }
  // Where the checker knew the operand's value, clang folded it; the built object's two uses of the rest (a
  // compile-time assertion the build passed, a constant shortcut that computes the same value) both take 1.
  if (name === CLANG_CONSTANT_P) return () => 1n;
  return undefined;
}

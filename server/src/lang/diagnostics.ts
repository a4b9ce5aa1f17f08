/**
 * Every diagnostic the front end and the checker can report, declared once with a stable code, a category
 * and a message template (like the TypeScript compiler's diagnosticMessages.json). Code refers to
 * `Diagnostics.X`; tests and the docs links use the code. `{0}`, `{1}`... are filled by `formatMessage`.
 *
 * Code ranges: BPF1000-1099 preprocessor, BPF1100-1199 parser, BPF1200-1399 types and semantics,
 * BPF2000-2999 verifier-equivalent checks, BPF3000-3999 attach/link/load (libbpf, bpf_iter_attach_map),
 * BPF4000-4999 run-time (executor, limits).
 */

export type DiagnosticCategory = 'error' | 'warning' | 'information' | 'hint';

export interface DiagnosticMessage {
  code: number;
  category: DiagnosticCategory;
  message: string;
  /** Longer plain explanation for hover and the docs page; may be empty. */
  explanation?: string;
  /** The kernel's / clang's own words, when a message mirrors them (printf-style template as they print it). */
  kernelText?: string;
}

/** A diagnostic bound to a source range: file id plus UTF-16 offsets in that file's text. */
export interface FrontEndDiagnostic {
  code: number;
  category: DiagnosticCategory;
  message: string;
  file: number;
  pos: number;
  end: number;
  /** Extra locations (e.g. the map definition whose key_size an access exceeds). */
  related?: Array<{ file: number; pos: number; end: number; message: string }>;
}

export function formatMessage(template: string, args: ReadonlyArray<string | number | bigint>): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

function d(code: number, category: DiagnosticCategory, message: string, extra: Partial<DiagnosticMessage> = {}): DiagnosticMessage {
  return { code, category, message, ...extra };
}

export const Diagnostics = {
  // ---- BPF1000-1099: preprocessor ----

  // ---- end of preprocessor diagnostics ----

  // ---- BPF1100-1199: parser ----
  ExpectedToken: d(1100, 'error', "expected '{0}'"),
  ExpectedExpression: d(1101, 'error', 'expected expression'),
  ExpectedDeclaration: d(1102, 'error', 'expected a declaration'),
  UnexpectedToken: d(1103, 'error', "unexpected '{0}'"),
  NestingTooDeep: d(1104, 'error', 'bracket nesting level exceeded maximum of {0}',
    { explanation: 'clang stops at 256 nested brackets (-fbracket-depth); the front end does the same instead of overflowing its stack.' }),
  ExpectedIdentifier: d(1105, 'error', 'expected identifier'),
  ExpectedTypeName: d(1106, 'error', 'expected a type'),
  InvalidNumber: d(1107, 'error', "invalid numeric constant '{0}'"),
  InvalidCharacter: d(1108, 'error', "unexpected character '{0}'"),
  InvalidTypeCombination: d(1109, 'error', "cannot combine '{0}' with previous type specifier"),
  UnknownTypeName: d(1110, 'error', "unknown type name '{0}'"),
  FunctionDefinitionNotAllowed: d(1111, 'error', 'function definition is not allowed here'),
  MissingClosingBrace: d(1112, 'error', "expected '}' to close the block opened here"),
  IntegerTooLarge: d(1113, 'error', 'integer literal is too large to be represented in any integer type'),
  ExpectedStatement: d(1114, 'error', 'expected statement'),
  // ---- end of parser diagnostics ----

  // ---- BPF1200-1399: types and semantics ----
  UndeclaredIdentifier: d(1200, 'error', "use of undeclared identifier '{0}'"),
  NoMember: d(1201, 'error', "no member named '{0}' in '{1}'"),
  Redefinition: d(1202, 'error', "redefinition of '{0}'"),
  NotAssignable: d(1203, 'error', 'expression is not assignable'),
  NotCallable: d(1204, 'error', "called object type '{0}' is not a function or function pointer"),
  TooFewArguments: d(1205, 'error', 'too few arguments to function call, expected {0}, have {1}'),
  TooManyArguments: d(1206, 'error', 'too many arguments to function call, expected {0}, have {1}'),
  IncompatibleAssignment: d(1207, 'error', "assigning to '{0}' from incompatible type '{1}'"),
  IncompatibleArgument: d(1208, 'error', "passing '{1}' to parameter of incompatible type '{0}'"),
  IncompleteType: d(1209, 'error', "incomplete type '{0}'"),
  StaticAssertFailed: d(1210, 'error', 'static assertion failed{0}'),
  NotIntegerConstant: d(1211, 'error', 'expression is not an integer constant expression'),
  MemberBaseNotRecord: d(1212, 'error', "member reference base type '{0}' is not a structure or union"),
  ArrowOnNonPointer: d(1213, 'error', "member reference type '{0}' is not a pointer"),
  DivisionByZero: d(1214, 'error', 'division by zero in a constant expression'),
  SubscriptOfNonArray: d(1215, 'error', 'subscripted value is not an array or pointer'),
  IndirectionOfNonPointer: d(1216, 'error', "indirection requires pointer operand ('{0}' invalid)"),
  InvalidBitFieldWidth: d(1217, 'error', "width of bit-field '{0}' ({1} bits) exceeds the width of its type ({2} bits)"),
  DuplicateMember: d(1218, 'error', "duplicate member '{0}'"),
  NegativeArraySize: d(1219, 'error', "'{0}' declared as an array with a negative size"),
  InvalidOperands: d(1220, 'error', "invalid operands to binary expression ('{0}' and '{1}')"),
  IncompatibleReturn: d(1221, 'error', "returning '{1}' from a function with incompatible result type '{0}'"),
  IncompatibleInitializer: d(1222, 'error', "initializing '{0}' with an expression of incompatible type '{1}'"),
  ConflictingTypes: d(1223, 'error', "conflicting types for '{0}'"),
  VoidValueNotIgnored: d(1224, 'error', 'void value not ignored as it ought to be'),
  UndeclaredLabel: d(1225, 'error', "use of undeclared label '{0}'"),
  BreakOutsideLoop: d(1226, 'error', "'{0}' statement not in loop{1} statement"),
  ImplicitFunctionDeclaration: d(1227, 'warning', "implicit declaration of function '{0}' is invalid in C99"),
  ConstAssignment: d(1228, 'error', "cannot assign to variable '{0}' with const-qualified type '{1}'"),
  // ---- end of types and semantics diagnostics ----

  // ---- BPF2000-2999: verifier-equivalent checks ----

  // ---- end of verifier diagnostics ----

  // ---- BPF3000-3999: load, attach and link ----

  // ---- end of attach diagnostics ----

  // ---- BPF4000-4999: run time and limits ----

  // ---- end of run-time diagnostics ----

  // ---- BPF1390-1399: lowering to the executable IR (integrator) ----
  UnsupportedConstruct: d(1390, 'error', 'bpf-iter-lab cannot simulate {0} yet', {
    explanation: 'The program may well be valid C and valid BPF, but this construct is not executed by the simulator. Checks that do not depend on it still run.',
  }),
  // ---- end of lowering diagnostics ----
} satisfies Record<string, DiagnosticMessage>;

export type DiagnosticKey = keyof typeof Diagnostics;

/** Formats `"BPF1234"` from a numeric code, the form shown to users and used in docs links. */
export function codeString(code: number): string {
  return `BPF${code}`;
}

// Keep `d` referenced while sections are empty; every entry is built with it.
void d;

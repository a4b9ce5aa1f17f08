/**
 * Every diagnostic the front end and the checker can report, declared once with a stable code, a category
 * and a message template (like the TypeScript compiler's diagnosticMessages.json). Code refers to
 * `Diagnostics.X`; tests and the docs links use the code. `{0}`, `{1}`... are filled by `formatMessage`.
 *
 * Code ranges: BPF1000-1099 preprocessor, BPF1100-1199 parser, BPF1200-1399 types and semantics,
 * BPF1600-1619 project configuration (.bpf-iter.json),
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
  /**
   * For a verifier-equivalent error: the errno bpf(BPF_PROG_LOAD) fails with, when it is not EACCES (the errno of
   * most of do_check()'s refusals). A run refused by this diagnostic reports it.
   */
  loadErrno?: 'E2BIG' | 'EINVAL' | 'EACCES' | 'ESRCH' | 'ENOTSUPP' | 'ENOENT' | 'EPROTO';
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

/**
 * Diagnostics one phase (parser, binder, lowering) keeps; past it they are dropped. A cascade from hostile
 * input (hundreds of thousands of errors) would otherwise cost gigabytes, and no one reads past the first.
 */
export const MAX_COLLECTED_DIAGNOSTICS = 10_000;

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
  UnterminatedComment: d(1000, 'error', 'unterminated /* comment', { kernelText: 'unterminated /* comment' }),
  MissingTerminatingCharacter: d(1001, 'error', 'missing terminating {0} character', { kernelText: "missing terminating %0 character" }),
  NullCharacterIgnored: d(1002, 'warning', 'null character ignored'),
  BackslashNewlineSpace: d(1003, 'warning', 'backslash and newline separated by space'),
  FileNotFound: d(1010, 'error', "'{0}' file not found; looked in {1}; {2}", {
    kernelText: "'%0' file not found",
    explanation: 'The folders are those of the build setup (compile_commands.json or compile_flags.txt found walking up from the file, with the edits of the .clangd files above it, '
      + 'the bpfIter.includePaths setting or the CLI -I), the system folders clang -target bpf searches, then the bundled headers.',
  }),
  IncludeNestedTooDeeply: d(1011, 'error', "#include nested too deeply (more than {0} levels); does '{1}' include itself? (the setting limits.{2} raises this limit)",
    { explanation: 'clang stops at 200 nested includes; a file that includes itself without #pragma once or an include guard never ends.' }),
  IncludedTextTooLarge: d(1013, 'error', "#include of '{0}' not done: the files included so far pass {1} characters (the setting limits.{2} raises this limit)",
    { explanation: 'Each #include reads its file again; a large file that includes itself (or a header included thousands of times) would be read without end, so the total is bounded.' }),
  ExpectedFilename: d(1012, 'error', 'expected "FILENAME" or <FILENAME>'),
  MacroRedefined: d(1020, 'warning', "'{0}' macro redefined"),
  MacroNameMissing: d(1021, 'error', 'macro name missing'),
  MacroNameMustBeIdentifier: d(1022, 'error', 'macro name must be an identifier'),
  DefinedCannotBeMacroName: d(1023, 'error', "'defined' cannot be used as a macro name"),
  HashNotFollowedByParameter: d(1024, 'error', "'#' is not followed by a macro parameter"),
  PasteAtEdgeOfMacro: d(1025, 'error', "'##' cannot appear at either end of a macro expansion"),
  InvalidMacroParameterList: d(1026, 'error', '{0}'),
  UnterminatedMacroInvocation: d(1027, 'error', 'unterminated function-like macro invocation'),
  TooManyMacroArguments: d(1028, 'error', "too many arguments provided to function-like macro invocation '{0}'"),
  TooFewMacroArguments: d(1029, 'error', "too few arguments provided to function-like macro invocation '{0}'"),
  PasteFormedInvalidToken: d(1030, 'error', "pasting formed '{0}', an invalid preprocessing token"),
  VaArgsOutsideVariadicMacro: d(1031, 'warning', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro'),
  UnterminatedConditional: d(1040, 'error', 'unterminated conditional directive'),
  DirectiveWithoutIf: d(1041, 'error', '#{0} without #if'),
  DirectiveAfterElse: d(1042, 'error', '#{0} after #else'),
  ExpectedValueInExpression: d(1043, 'error', 'expected value in expression'),
  DivisionByZeroInExpression: d(1044, 'error', '{0} by zero in preprocessor expression'),
  InvalidExpressionToken: d(1045, 'error', '{0}'),
  IntegerLiteralTooLarge: d(1046, 'error', 'integer literal is too large to be represented in any integer type'),
  BracketNestingTooDeep: d(1047, 'error', 'bracket nesting level exceeded maximum of {0}'),
  InvalidNumberInExpression: d(1048, 'error', "invalid integer constant '{0}' in preprocessor expression"),
  ErrorDirective: d(1050, 'error', '{0}'),
  WarningDirective: d(1051, 'warning', '{0}'),
  InvalidDirective: d(1052, 'error', 'invalid preprocessing directive'),
  ExtraTokensAtEndOfDirective: d(1053, 'warning', 'extra tokens at end of #{0} directive'),
  InvalidLineDirective: d(1054, 'error', '#line directive requires a positive integer argument'),
  MacroExpansionTooLarge: d(1056, 'error', "macro expansion of '{0}' produced more than {1} tokens; expansion stopped (the setting limits.{2} raises this limit)",
    { explanation: 'Each top-level macro invocation may produce at most this many tokens (a guard against exponential macro definitions).' }),
  OutputTooLarge: d(1057, 'error', 'preprocessing produced more than {0} tokens; the rest of the file is ignored (the setting limits.{1} raises this limit)'),
  MacroArgumentsNestedTooDeeply: d(1058, 'error', 'macro arguments nested more than {0} levels deep; inner arguments are not expanded (the setting limits.{1} raises this limit)'),
  PragmaOnceInMainFile: d(1059, 'warning', '#pragma once in main file'),
  PragmaRequiresString: d(1060, 'error', '_Pragma takes a parenthesized string literal'),
  FeatureCheckSyntax: d(1061, 'error', "builtin feature check macro '{0}' requires a parenthesized {1}"),
  DirectiveInMacroArguments: d(1062, 'warning', 'embedding a directive within macro arguments has undefined behavior'),
  EmptyCharacterConstant: d(1063, 'error', 'empty character constant'),
  ExpansionWorkExceeded: d(1065, 'error', 'macro expansion read and produced more than {0} tokens in this file; the rest of the file is ignored (the setting limits.{1} raises this limit)',
    { explanation: 'One preprocessing may spend at most this much work expanding macros, a guard against inputs whose nesting, include loops and expansions multiply (for example a file that includes itself around deeply nested invocations).' }),
  FileHasTooManyTokens: d(1069, 'error', "'{0}' has more than {1} tokens; the rest of it is not read (the setting limits.{2} raises this limit)"),
  IncludesItselfTooDeeply: d(1070, 'error', "'{0}' is already included {1} times on the include stack; this #include is not done (the setting limits.{2} raises this limit)",
    { explanation: 'A file that includes itself (directly or through other headers) is read again at each level; clang allows 200 levels, but 200 copies of a large file cost seconds and gigabytes, so a file may appear at most this many times in the chain of #includes.' }),
  IncludesItselfTooOften: d(1071, 'error', "'{0}' includes itself, and this translation unit has read {1} such #includes; this one is not done (the setting limits.{2} raises this limit)",
    { explanation: 'A file that includes itself twice doubles its copies at each level of the chain (65,536 at 16 levels): each #include of a file from inside itself counts, over the whole translation unit.' }),
  ConditionalNestedTooDeeply: d(1064, 'error', 'conditional directives nested more than {0} levels deep (the setting limits.{1} raises this limit)'),

  // ---- end of preprocessor diagnostics ----

  // ---- BPF1100-1199: parser ----
  ExpectedToken: d(1100, 'error', "expected '{0}'"),
  ExpectedExpression: d(1101, 'error', 'expected expression'),
  ExpectedDeclaration: d(1102, 'error', 'expected a declaration'),
  UnexpectedToken: d(1103, 'error', "unexpected '{0}'"),
  NestingTooDeep: d(1104, 'error', 'bracket nesting level exceeded maximum of {0}',
    { explanation: 'clang stops at 256 nested brackets (-fbracket-depth); the front end does the same instead of overflowing its stack.' }),
  ExpectedIdentifier: d(1105, 'error', 'expected identifier'),
  UnexpectedTypeNameExpectedIdentifier: d(1130, 'error', "unexpected type name '{0}': expected identifier", { kernelText: 'unexpected type name %0: expected identifier' }),
  VariableIncompleteType: d(1131, 'error', 'variable has incomplete type {0}', { kernelText: 'variable has incomplete type %0' }),
  ExpectedTypeName: d(1106, 'error', 'expected a type'),
  InvalidNumber: d(1107, 'error', "invalid numeric constant '{0}'"),
  InvalidCharacter: d(1108, 'error', "unexpected character '{0}'"),
  InvalidTypeCombination: d(1109, 'error', "cannot combine '{0}' with previous type specifier"),
  UnknownTypeName: d(1110, 'error', "unknown type name '{0}'"),
  FunctionDefinitionNotAllowed: d(1111, 'error', 'function definition is not allowed here'),
  MissingClosingBrace: d(1112, 'error', "expected '}'", { kernelText: "expected '}'" }),
  IntegerTooLarge: d(1113, 'error', 'integer literal is too large to be represented in any integer type'),
  ExpectedStatement: d(1114, 'error', 'expected statement'),
  ExpectedSemicolonAfter: d(1115, 'error', "expected ';' after {0}", { kernelText: "expected ';' after %0" }),
  ExpectedSemicolonAtEnd: d(1116, 'error', "expected ';' at end of {0}", { kernelText: "expected ';' at end of %0" }),
  KnrParameterMissing: d(1118, 'error', "parameter named '{0}' is missing", { kernelText: 'parameter named %0 is missing' }),
  PredefinedIdentifierOutsideFunction: d(1117, 'warning', 'predefined identifier is only valid inside function', {
    kernelText: 'predefined identifier is only valid inside function',
    explanation: 'clang warns (-Wpredefined-identifier-outside-function) and gives `__func__` outside every function the empty string.',
  }),
  // ---- end of parser diagnostics ----

  // ---- BPF1200-1399: types and semantics ----
  UndeclaredIdentifier: d(1200, 'error', "use of undeclared identifier '{0}'"),
  NoMember: d(1201, 'error', "no member named '{0}' in '{1}'"),
  Redefinition: d(1202, 'error', "redefinition of '{0}'"),
  NotAssignable: d(1203, 'error', 'expression is not assignable'),
  NotCallable: d(1204, 'error', "called object type {0} is not a function or function pointer"),
  TooFewArguments: d(1205, 'error', 'too few arguments to function call, expected {0}, have {1}'),
  TooManyArguments: d(1206, 'error', 'too many arguments to function call, expected {0}, have {1}'),
  IncompatibleAssignment: d(1207, 'error', "assigning to {0} from incompatible type {1}"),
  IncompatibleArgument: d(1208, 'error', "passing {1} to parameter of incompatible type {0}"),
  StaticAssertFailed: d(1210, 'error', 'static assertion failed{0}'),
  NotIntegerConstant: d(1211, 'error', 'expression is not an integer constant expression'),
  MemberBaseNotRecord: d(1212, 'error', "member reference base type {0} is not a structure or union", { kernelText: 'member reference base type %0 is not a structure or union' }),
  ArrowOnNonPointer: d(1213, 'error', "member reference type {0} is not a pointer", { kernelText: 'member reference type %0 is not a pointer' }),
  DivisionByZero: d(1214, 'error', 'division by zero in a constant expression'),
  SubscriptOfNonArray: d(1215, 'error', 'subscripted value is not an array, pointer, or vector', { kernelText: 'subscripted value is not an array, pointer, or vector' }),
  IndirectionOfNonPointer: d(1216, 'error', "indirection requires pointer operand ({0} invalid)"),
  InvalidBitFieldWidth: d(1217, 'error', "width of bit-field '{0}' ({1} bits) exceeds the width of its type ({2} bits)"),
  DuplicateMember: d(1218, 'error', "duplicate member '{0}'"),
  NegativeArraySize: d(1219, 'error', "'{0}' declared as an array with a negative size"),
  InvalidOperands: d(1220, 'error', "invalid operands to binary expression ({0} and {1})"),
  IncompatibleReturn: d(1221, 'error', "returning {1} from a function with incompatible result type {0}"),
  IncompatibleInitializer: d(1222, 'error', "initializing {0} with an expression of incompatible type {1}"),
  ConflictingTypes: d(1223, 'error', "conflicting types for '{0}'"),
  VoidValueNotIgnored: d(1224, 'error', 'void value not ignored as it ought to be'),
  UndeclaredLabel: d(1225, 'error', "use of undeclared label '{0}'"),
  BreakOutsideLoop: d(1226, 'error', "'{0}' statement not in loop{1} statement"),
  ImplicitFunctionDeclaration: d(1227, 'warning', "implicit declaration of function '{0}' is invalid in C99"),
  ConstAssignment: d(1228, 'error', "cannot assign to variable '{0}' with const-qualified type {1}"),
  SwitchConditionNotInteger: d(1229, 'error', "statement requires expression of integer type ({0} invalid)"),
  RedefinitionDifferentKind: d(1380, 'error', "redefinition of '{0}' as different kind of symbol", { kernelText: "redefinition of '%0' as different kind of symbol" }),
  RedefinitionOfEnumerator: d(1381, 'error', "redefinition of enumerator '{0}'", { kernelText: "redefinition of enumerator '%0'" }),
  TypedefRedefinitionDifferentTypes: d(1382, 'error', 'typedef redefinition with different types ({0} vs {1})', {
    kernelText: 'typedef redefinition with different types (%0 vs %1)',
    explanation: 'C11 allows a typedef to be declared again only with the same type; vmlinux.h already defines the kernel\'s typedefs (u32, u64, pid_t...).',
  }),
  RedefinitionDifferentType: d(1383, 'error', "redefinition of '{0}' with a different type: {1} vs {2}", { kernelText: "redefinition of %0 with a different type%diff{: $ vs $|}1,2" }),
  DuplicateCaseValue: d(1384, 'error', "duplicate case value '{0}'", { kernelText: "duplicate case value '%0'" }),
  MultipleDefaultLabels: d(1385, 'error', 'multiple default labels in one switch', { kernelText: 'multiple default labels in one switch' }),
  VoidFunctionReturnsValue: d(1386, 'error', "void function '{0}' should not return a value", { kernelText: "void function %0 should not return a value" }),
  LabelRedefinition: d(1387, 'error', "redefinition of label '{0}'", { kernelText: "redefinition of label %0" }),
  BuiltinCallNotSupported: d(1230, 'error', "A call to built-in function '{0}' is not supported.", {
    explanation: 'clang -target bpf expands __builtin_memcpy/memset/memmove inline only for a size it knows at compile time; otherwise it would emit a call, which BPF does not have, and it stops with this error.',
  }),
  MemcmpNotInlined: d(1231, 'error', "clang 14 does not inline __builtin_memcmp of {0} for BPF: it calls memcmp, and loading fails (libbpf: failed to find BTF for extern 'memcmp')", {
    kernelText: "libbpf: failed to find BTF for extern 'memcmp'",
    explanation: 'BPF has no memcmp. clang expands __builtin_memcmp inline only for 1 byte, or 2 or 4 bytes whose result is only compared with 0; otherwise compare the bytes (or __u64 words) in a loop.',
  }),
  AtomicNotCompiled: d(1232, 'error', '{0}: clang 14 -target bpf{1} cannot compile this atomic operation ({2})', {
    explanation: 'On the default -mcpu (v1, and v2) the BPF backend has atomic add for 32 and 64 bits (without a usable result for 32 bits), and and/or/xor/exchange/compare-and-exchange for 64 bits only; nothing for 8 or 16 bits, no nand and no 32-bit sub. -mcpu=v3 (read from the build setup) adds every 32-bit form but nand. Use a __u64 operand, or build with -mcpu=v3.',
  }),
  TypeMatchesNotCompiled: d(1257, 'error', "clang 14 cannot compile {0}: its BPF backend knows no BPF_TYPE_MATCHES relocation (\"Incorrect flag for llvm.bpf.preserve.type.info intrinsic\"), and the build fails", {
    kernelText: 'Incorrect flag for llvm.bpf.preserve.type.info intrinsic',
    explanation: 'bpf_core_type_matches() (__builtin_preserve_type_info with flag BPF_TYPE_MATCHES) needs clang 15 or later. With clang 14, test bpf_core_type_exists() and the fields you use with bpf_core_field_exists().',
  }),
  TooManyCallArguments: d(1233, 'error', 'clang -target bpf passes at most 5 arguments, in R1-R5: this call of {0} passes {1}, and the build fails{2}', {
    kernelText: 'too many args to %s',
    explanation: 'The BPF calling convention has no stack arguments. A function with a body here may still build when clang inlines it or drops constant arguments; one without a body (an extern, an implicit declaration) never does. BPF_SEQ_PRINTF and BPF_SNPRINTF of more than 12 values call ___bpf_fill13 and up, which libbpf does not define.',
  }),
  FrameTooLargeForClang: d(1258, 'error', "{0}'s own stack frame takes {1} bytes, and clang -target bpf stops the build at 512. clang: \"Looks like the BPF stack limit of 512 bytes is exceeded. Please move large on stack variables into BPF per-cpu array map.\"", {
    kernelText: 'Looks like the BPF stack limit of 512 bytes is exceeded. Please move large on stack variables into BPF per-cpu array map.',
    explanation: 'clang\'s BPF backend refuses a function whose own frame (the stack slots it keeps after optimization, rounded up to 8 bytes) reaches 512 bytes: a slot at 512 bytes below the frame pointer is one too many (a 504-byte buffer builds, 505 does not). The verifier\'s limit on the combined stack of a call chain (BPF2008) comes after that. Move large buffers into a per-CPU array map.',
  }),
  StructArgNotCompiled: d(1260, 'error', "{0}() is __noinline, so clang -target bpf keeps this call, and the BPF calling convention cannot pass its struct or union argument {1} by value: the build fails. clang: \"pass by value not supported\"", {
    kernelText: 'pass by value not supported',
    explanation: 'Arguments travel in R1-R5 and an aggregate does not fit a register. A function clang inlines (static, or without __noinline) may take a struct by value, since no call is left; a __noinline one must take a pointer to it.',
  }),
  StructReturnNotCompiled: d(1261, 'error', "{0}() returns a struct or union by value and {1}, which clang -target bpf cannot compile: the build fails. clang: \"functions with VarArgs or StructRet are not supported\"", {
    kernelText: 'functions with VarArgs or StructRet are not supported',
    explanation: 'The BPF backend returns values in R0 only. A static function clang inlines may return a struct (its value lands in the caller); a function clang keeps (not static, or __noinline) cannot: return through a pointer parameter instead.',
  }),
  ArrowOnRecord: d(1234, 'error', "member reference type {0} is not a pointer; did you mean to use '.'?", {
    kernelText: "member reference type %0 is not a pointer; did you mean to use '.'?",
    explanation: 'Like clang, the rest of the expression is checked as if `.` had been written; the quick fix replaces `->` by `.`.',
  }),
  DotOnPointer: d(1235, 'error', "member reference type {0} is a pointer; did you mean to use '->'?", {
    kernelText: "member reference type %0 is a pointer; did you mean to use '->'?",
    explanation: 'Like clang, the rest of the expression is checked as if `->` had been written; the quick fix replaces `.` by `->`.',
  }),
  MemberOfIncompleteType: d(1236, 'error', "incomplete definition of type {0}", { kernelText: 'incomplete definition of type %0' }),
  AddressOfRvalue: d(1237, 'error', "cannot take the address of an rvalue of type {0}", { kernelText: 'cannot take the address of an rvalue of type %0' }),
  ArrayNotAssignable: d(1238, 'error', "array type {0} is not assignable", { kernelText: 'array type %0 is not assignable' }),
  InvalidUnaryArgument: d(1239, 'error', "invalid argument type {0} to unary expression", { kernelText: 'invalid argument type %0 to unary expression' }),
  CastOperandNotScalar: d(1240, 'error', "operand of type {0} where arithmetic or pointer type is required", { kernelText: 'operand of type %0 where arithmetic or pointer type is required' }),
  UsedTypeNotScalar: d(1241, 'error', "used type {0} where arithmetic or pointer type is required", { kernelText: 'used type %0 where arithmetic or pointer type is required' }),
  TooFewArgumentsOne: d(1242, 'error', "too few arguments to function call, single argument '{0}' was not specified", { kernelText: 'too few arguments to function call, single argument %0 was not specified' }),
  TooFewArgumentsAtLeast: d(1243, 'error', 'too few arguments to function call, expected at least {0}, have {1}', { kernelText: 'too few arguments to function call, expected at least %0, have %1' }),
  TooFewArgumentsAtLeastOne: d(1244, 'error', "too few arguments to function call, at least argument '{0}' must be specified", { kernelText: 'too few arguments to function call, at least argument %0 must be specified' }),
  TooManyArgumentsOne: d(1245, 'error', "too many arguments to function call, expected single argument '{0}', have {1} arguments", { kernelText: 'too many arguments to function call, expected single argument %0, have %1 arguments' }),
  SizeofIncompleteType: d(1246, 'error', "invalid application of 'sizeof' to an incomplete type {0}", { kernelText: "invalid application of 'sizeof' to an incomplete type %0" }),
  BitFieldNegativeWidth: d(1247, 'error', "bit-field '{0}' has negative width ({1})", { kernelText: 'bit-field %0 has negative width (%1)' }),
  AnonymousBitFieldNegativeWidth: d(1248, 'error', 'anonymous bit-field has negative width ({0})', { kernelText: 'anonymous bit-field has negative width (%0)' }),
  NamedBitFieldZeroWidth: d(1249, 'error', "named bit-field '{0}' has zero width", { kernelText: 'named bit-field %0 has zero width' }),
  AnonymousBitFieldTooWide: d(1250, 'error', 'width of anonymous bit-field ({0} bits) exceeds the width of its type ({1} bits)', { kernelText: 'width of anonymous bit-field (%0 bits) exceeds the width of its type (%1 bit%s1)' }),
  TypeNameAsExpression: d(1251, 'error', "unexpected type name '{0}': expected expression", { kernelText: 'unexpected type name %0: expected expression' }),
  CaseNotInSwitch: d(1252, 'error', "'{0}' statement not in switch statement", { kernelText: "'%select{case|default}0' statement not in switch statement" }),
  ReturnWithoutValue: d(1253, 'error', "non-void function '{0}' should return a value", {
    kernelText: 'non-void function %0 should return a value',
    explanation: 'clang reports it as an error by default (-Wreturn-type); a return without a value leaves R0 unset, which the verifier refuses too ("R0 !read_ok").',
  }),
  ConstMemberAssignment: d(1255, 'error', "cannot assign to non-static data member '{0}' with const-qualified type {1}", { kernelText: 'cannot assign to non-static data member %0 with const-qualified type %1' }),
  ReadOnlyNotAssignable: d(1256, 'error', 'read-only variable is not assignable', { kernelText: 'read-only variable is not assignable' }),
  ConditionNotScalar: d(1254, 'error', "statement requires expression of scalar type ({0} invalid)", { kernelText: 'statement requires expression of scalar type (%0 invalid)' }),
  // ---- end of types and semantics diagnostics ----

  // ---- BPF2000-2999: verifier-equivalent checks ----
  NullDereference: d(2001, 'error', '{0} may be NULL here and the verifier rejects dereferencing it: {1}. Verifier: "{2}"', {
    kernelText: "R%d invalid mem access '%s'",
    explanation: 'Pointers the verifier marks maybe-NULL (ctx->map of the bpf_map target, ctx->key and ctx->value of bpf_map_elem, the result of bpf_map_lookup_elem) must be compared with NULL on every path before they are read or written. The iterator calls the program one last time with NULL pointers after the last object. Registers are printed as R? because the register clang picks is not known before compilation.',
  }),
  NullPointerArithmetic: d(2002, 'error', 'Pointer arithmetic on {0} before its NULL check. Verifier: "{1}"', {
    kernelText: 'R%d pointer arithmetic on %s prohibited, null-check it first',
    explanation: 'The verifier refuses to add offsets to a pointer that may still be NULL. Check the pointer first, then index into it.',
  }),
  NullPassedToHelper: d(2003, 'error', '{0} may be NULL here, but argument {1} of {2} must point to memory. Verifier: "{3}"', {
    kernelText: 'R%d type=%s expected=%s',
    explanation: 'Helpers that read or write memory through an argument need a non-NULL pointer; a maybe-NULL pointer does not match the argument type.',
  }),
  WriteIntoRdonlyBuf: d(2004, 'error', 'ctx->key is read-only: {0}. Verifier: "{1}"', {
    kernelText: 'R%d cannot write into rdonly_buf',
    explanation: 'The key of a bpf_map_elem iterator is a read-only buffer (PTR_TO_BUF | MEM_RDONLY). Copy it to the stack to modify it; write through ctx->value instead when the map value is meant.',
  }),
  NegativeBufferOffset: d(2005, 'error', 'Access at a negative offset of {0}. Verifier: "{1}"', {
    kernelText: 'R%d invalid rdonly buffer access: off=%d, size=%d',
    explanation: 'Accesses through ctx->key and ctx->value must stay at or after the start of the buffer (invalid rdonly / rdwr buffer access).',
  }),
  VariableBufferOffset: d(2006, 'error', 'The offset into {0} is not a constant on this path. Verifier: "{1}"', {
    kernelText: 'R%d invalid variable buffer offset: off=%d, var_off=%s',
    explanation: 'The verifier tracks the largest byte read through ctx->key/ctx->value and needs a constant offset on each path; an index that is only bounded (for example `i & 7` of an unknown i) is refused. Indices that are loop counters of bounded loops are constant on each unrolled path and are fine.',
  }),
  ReturnValueOutOfRange: d(2007, 'error', 'An iterator program must return 0 or 1, this returns {0}. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'At program exit the register R0 has smin=%lld smax=%lld should have been in [0, 1]',
    explanation: 'Iterator programs return 0 to keep the object\'s output or 1 to retry the object (its output is dropped); the verifier rejects any other possible value.',
  }),
  StackTooLarge: d(2008, 'error', 'The stack of {0} call frame(s) is {1} bytes, more than the 512 the verifier allows. Verifier: "{2}"', {
    kernelText: 'combined stack size of %d calls is %d. Too large',
    explanation: 'Each BPF program has 512 bytes of stack, combined along the deepest call chain (each frame rounded up to 16 bytes): calls of subprograms, also inside statement expressions, and callbacks passed to bpf_loop()/bpf_for_each_map_elem() count, as check_max_stack_depth() walks them (timer callbacks run on a stack of their own). Move large buffers into a per-CPU array map.',
  }),
  InfiniteLoop: d(2009, 'error', 'This loop never exits. Verifier: "{0}"', {
    kernelText: 'infinite loop detected at insn %d',
    loadErrno: 'EINVAL', // is_state_visited() returns -EINVAL (corpus reject_unbounded_loop, measured)
    explanation: 'A loop with no exit condition (no test, break or return) is rejected by the verifier.',
  }),
  UnboundedLoop: d(2010, 'error', 'The verifier cannot prove that this loop ends: {0}. Verifier: "{1}"', {
    kernelText: 'BPF program is too large. Processed %d insn',
    loadErrno: 'E2BIG', // do_check() past BPF_COMPLEXITY_LIMIT_INSNS returns -E2BIG
    explanation: 'Bounded loops are accepted when the verifier can run every iteration: a counter compared with a constant bound and stepped by a constant toward it. A loop bounded by data the verifier does not know runs until the 1 million instruction limit.',
  }),
  LoopCounterLostOnStack: d(2030, 'error', 'The verifier cannot prove that this loop ends: its counter `{0}` lives on the stack at fp{1} (its address is passed to a call), not at a multiple of 8 bytes, so the verifier forgets its value at each store and reads back an unknown number. Keep the counter in a register and pass the address of a copy, or make it a __u64. Verifier: "{2}"', {
    kernelText: 'The sequence of %d jumps is too complex.',
    // mirrors push_stack(): the jump-sequence limit fails the load with -E2BIG (measured: the corpus row fails so)
    loadErrno: 'E2BIG',
    explanation: 'check_stack_write_fixed_off() keeps a spilled scalar only at an 8-byte aligned stack offset; a 4-byte counter whose address goes to a helper (a map key) sits at fp-4 and is reloaded after each call as an unknown value, so the loop is explored until "The sequence of 8193 jumps is too complex" or the same state repeats ("infinite loop detected").',
  }),
  SeqArgNotSeqFile: d(2031, 'error', '{0} is not the iterator\'s seq_file: argument {1} of {2} must be the pointer ctx->meta->seq itself (not NULL, a number, a copy made by bpf_probe_read_kernel()/BPF_CORE_READ(), or another pointer cast to struct seq_file *). Verifier: "{3}"', {
    kernelText: 'R%d type=%s expected=ptr_, trusted_ptr_, rcu_ptr_',
    explanation: 'bpf_seq_printf, bpf_seq_write and bpf_seq_printf_btf take ARG_PTR_TO_BTF_ID of struct seq_file: check_func_arg() accepts only a trusted kernel pointer of that type at offset 0. Read it as ctx->meta->seq (a plain load, not BPF_CORE_READ(), whose bpf_probe_read_kernel() copy is a plain number to the verifier).',
  }),
  CtxAccessOutOfRange: d(2032, 'error', 'This reads {0} bytes at offset {1} of the iterator context: {2}. Verifier: "{3}"', {
    kernelText: 'invalid bpf_context access off=%d size=%d',
    explanation: 'The ctx of an iterator program is the target\'s arguments: meta and map for bpf_map (16 bytes), plus key and value for bpf_map_elem (32 bytes), each an 8-byte pointer. btf_ctx_access() refuses any other offset or size, also through a cast to another ctx type or pointer arithmetic that clang folds into the load.',
  }),
  CtxVariableAccess: d(2033, 'error', 'The iterator context is read at an offset that is not a constant. Verifier: "{0}"', {
    kernelText: 'variable ctx access var_off=%s disallowed',
    explanation: 'check_mem_access() refuses a PTR_TO_CTX register with a variable offset; read ctx->meta, ctx->map, ctx->key or ctx->value by name.',
  }),
  KfuncArgWrongType: d(2034, 'error', '{0} is not a struct {3} the kernel can check: argument {1} of the kfunc {2} must be a trusted pointer to struct {3} itself (a cast does not change what the verifier knows it points to). Verifier: "{4}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'kernel function %s args#%d expected pointer to STRUCT %s but R%d has a pointer to STRUCT %s',
    explanation: 'check_kfunc_args() compares the BTF type the verifier tracks for the register with the kfunc\'s parameter; a pointer cast in C changes nothing. Pass ctx->map (NULL-checked) to bpf_map_sum_elem_count().',
  }),
  KfuncArgNotTrusted: d(2115, 'error', '{0} is not a trusted pointer, but argument {1} of the kfunc {2} must be one (KF_TRUSTED_ARGS). Verifier: "{3}"', {
    kernelText: 'R%d must be referenced or trusted',
    explanation: 'Only ctx fields the target marks PTR_TRUSTED (the tcp and udp iterators\' sockets, task, cgroup, kmem_cache) are trusted; bpf_sock_destroy() therefore works in iter/tcp and iter/udp, not on the sockets of iter/unix, iter/netlink or iter/sockmap.',
  }),
  HelperSizeMayBeNegative: d(2116, 'error', 'The size {0} passed as argument {1} of {2} may be negative (as low as {3}): the verifier takes it as a signed number. Verifier: "{4}"', {
    kernelText: "R%d min value is negative, either use unsigned or 'var &= const'",
    explanation: 'check_mem_size_reg() refuses a size register whose signed minimum is below 0. Test `if (n < 0) return 0;` (or `n <= 0`), make the variable unsigned, or mask it (`n &= 0xff`).',
  }),
  SocketArgNotSocket: d(2117, 'error', '{0} cannot be argument {1} of {2}: it takes a socket pointer the verifier tracks (struct sock_common, or a struct that starts with one), checked against NULL first. Verifier: "{3}"', {
    kernelText: 'R%d type=%s expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_',
    explanation: 'The socket casts (bpf_skc_to_tcp_sock() and the others) take ARG_PTR_TO_BTF_ID_SOCK_COMMON without PTR_MAYBE_NULL: a socket iterator\'s ctx->sk_common is NULL on the last call, so check it before the cast. A pointer cast in C does not change the type the verifier tracks.',
  }),
  BtfAccessBeyondStruct: d(2035, 'error', '{0} points to a struct {1} of {2} bytes for the verifier; this reads {3} bytes at offset {4}, past its end. A cast or pointer arithmetic does not change the struct the verifier knows; copy other memory with bpf_probe_read_kernel(). Verifier: "{5}"', {
    kernelText: 'access beyond struct %s at off %u size %u',
    explanation: 'check_ptr_to_btf_access() hands each load through a kernel pointer (PTR_TO_BTF_ID) to btf_struct_access(), which walks the BTF of the struct the register is known to point to: a load at an offset past its size is refused with EACCES (only a flexible array at the end may be read past it). Casting ctx->map to another struct type, or adding to it, changes the offset but not the struct. bpf_probe_read_kernel() and BPF_CORE_READ() are helpers and are not checked this way.',
  }),
  BtfNegativeAccess: d(2036, 'error', '{0} points to a struct {1}; this reads at offset {2}, before its start. Verifier: "{3}"', {
    kernelText: 'R%d is ptr_%s invalid negative access: off=%d',
    explanation: 'check_ptr_to_btf_access() refuses a load through a kernel pointer at a negative offset (container_of() from a kernel pointer, pointer arithmetic backwards) with EACCES.',
  }),
  BtfVariableOffset: d(2037, 'error', 'The offset into {0} (a struct {1}) is not a constant on this path. Verifier: "{2}"', {
    kernelText: 'R%d is ptr_%s invalid variable offset: off=%d, var_off=%s',
    explanation: 'check_ptr_to_btf_access() needs a constant offset for each load through a kernel pointer: an index the verifier only knows a range of (`map->name[i & 7]`) is refused with EACCES. The counter of a bounded loop is a constant on each path the verifier walks, so `for (i = 0; i < 8; i++) ... map->name[i]` loads; or copy the bytes to the stack with bpf_probe_read_kernel() first.',
  }),
  StackVariableOffsetOutsideFrame: d(2038, 'error', 'This {0} {1} bytes of {2} at an offset the verifier knows only as a range ({3}): its largest value reaches past the top of the stack frame, wherever clang places {2}. Bound the index by the size of the object. Verifier: "{4}"', {
    kernelText: 'invalid variable-offset %s stack R%d var_off=%s off=%d size=%d',
    loadErrno: 'EINVAL',
    explanation: 'check_stack_access_within_bounds() takes the whole range of a variable stack offset: when its end lies above the frame pointer the load fails with -EINVAL (measured on 6.18: `char buf[16]; ... buf[r & 31]`). Within the frame, a privileged program may read and write at a variable offset (check_stack_read_var_off(); uninitialised bytes are allowed for CAP_PERFMON, see BPF2014), and `buf[r & 15]` loads.',
  }),
  StackUnboundedVariableOffset: d(2039, 'error', 'This {0} {1} at an offset the verifier cannot bound. Bound the index first (`i & (N - 1)` or `if (i < N)`). Verifier: "{2}"', {
    kernelText: 'invalid unbounded variable-offset %s stack R%d',
    explanation: 'check_stack_access_within_bounds() refuses a variable stack offset whose bounds reach 2^29 bytes (BPF_MAX_VAR_OFF) with EACCES (measured on 6.18: an index straight from bpf_get_prandom_u32()).',
  }),
  PointerMathUnboundedMin: d(2043, 'error', 'The verifier knows no lower bound for the offset added to {0} (to it the index is any 64-bit value). Bound it first (`i & (N - 1)`, or `if (i < N)` on a value clang cannot prove in range). Verifier: "{1}"', {
    kernelText: 'math between %s pointer and register with unbounded min value is not allowed',
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts, reject_rem_index_maps)
    explanation: 'check_reg_sane_offset() refuses pointer arithmetic with a register whose signed minimum is unknown. A remainder or quotient by a number that is no power of two is such a register: clang computes `x % 3` with a division, a multiplication and a subtraction, and the verifier does not track a division. clang also drops a mask or a comparison it can prove redundant (`x % 3 & 3`, `if (x % 3 < 4)`), so bound a power of two (`x & 3`) or hide the value from clang with barrier_var().',
  }),
  HelperMightSleep: d(2040, 'error', '{0} may sleep, so only a sleepable program may call it: this one is SEC("iter/...") (a sleepable iterator is SEC("iter.s/...")). Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/kernel-helpers.test.ts)
    kernelText: 'helper call might sleep in a non-sleepable prog',
    explanation: 'check_helper_call() refuses a helper whose proto is might_sleep (bpf_copy_from_user, bpf_copy_from_user_task) in a program that is not sleepable.',
  }),
  KfuncSleepableOnly: d(2091, 'error', 'The kfunc {0} may sleep (KF_SLEEPABLE), so only a sleepable program may call it: this one is SEC("iter/...") (a sleepable iterator is SEC("iter.s/...")). Verifier: "{1}"', {
    loadErrno: 'EACCES', // measured on Linux 6.18: bpf_copy_from_user_task_str() in iter/task
    kernelText: 'program must be sleepable to call sleepable kfunc %s',
    explanation: 'check_kfunc_call() refuses a kfunc flagged KF_SLEEPABLE (bpf_copy_from_user_task_str, bpf_copy_from_user_str) in a program that is not sleepable, with EACCES where a might_sleep helper gets EINVAL.',
  }),
  IterCounterNeverConverges: d(2065, 'error', 'The verifier never finishes this loop: `{0}` is stepped by a constant on every pass of the {1} and read exactly after it ({2}), so each pass has another value and no state repeats. Verifier: "{3}"', {
    loadErrno: 'E2BIG', // measured on Linux 6.18 with bpf_iter_num, bpf_iter_task_vma and bpf_iter_kmem_cache loops
    kernelText: 'BPF program is too large. Processed %d insn',
    explanation: 'A loop over an open-coded iterator\'s next() is verified pass after pass until a state repeats; widen_imprecise_scalars() forgets the values nothing needs exactly. A counter that a comparison with a constant, a helper\'s size or a stack index after the loop needs exactly keeps its value, which differs on every pass, so the verifier runs to its 1 million instruction limit. Print the counter without testing it, keep it in a global or map value, or bound the loop with a test on the counter inside it.',
  }),
  PathSplittingLoop: d(2068, 'error', 'The verifier never finishes this loop of {0} passes: on each pass a byte read at `{1}` is tested before `{1}` is compared with `{2}`, so each pass narrows `{2}` on the paths the byte test chose and no path ever repeats another. Compare `{1}` first (`{1} < {2} && ...`) or leave the loop once it reaches `{2}`. Verifier: "{3}"', {
    loadErrno: 'E2BIG', // measured on Linux 6.18 with clang 14: 24, 32, 47 and 63 passes over a 64-byte copied buffer
    kernelText: 'BPF program is too large. Processed %d insn',
    explanation: 'The verifier walks a counted loop pass by pass and prunes a path when an earlier one reached the same instruction with a state that contains it. `if (buf[i] == 0 && i + 1 < len) buf[i] = c;` compares the counter with the unknown `len` only on the passes where the byte test held, so the paths reach the loop head with `len` narrowed to different ranges, none inside another; their number grows about 1.6 times a pass, and a loop of 22 passes or more that clang keeps as a loop reaches the 1 million instruction limit (measured; 16 passes are unrolled by clang and load). bpf-iter-lab reports loops of 32 passes or more, where every measured variant was refused. With the comparison first (`i + 1 < len && buf[i] == 0`), its false side fixes `len` for every later pass and the loop loads.',
  }),
  KfuncProtoIncompatible: d(2066, 'error', 'libbpf cannot match the kfunc {0} with the kernel: the object has only a forward declaration of {1} (clang emits the struct only for a program that reads one of its fields or otherwise needs its definition), so the prototypes differ. libbpf: "{2}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 with clang 14: bpf_task_from_pid() in an iter/task that reads no task_struct field
    kernelText: "extern (func ksym) '%s': func_proto [%d] incompatible with kernel [%d]",
    explanation: 'clang writes a struct reached only through a pointer member of another struct (an iterator ctx\'s `struct task_struct *task`) as a BTF forward declaration. libbpf compares each extern kfunc\'s prototype with the kernel\'s, and a forward declaration does not match the kernel\'s struct. Reading any field of the struct (`t->pid`, BPF_CORE_READ) makes clang emit it, and the prototypes match.',
  }),
  KfuncNotAllowed: d(2092, 'error', 'The kfunc {0} is not given to iterator programs (the kernel registers it for LSM programs only). Verifier: "{1}"', {
    loadErrno: 'EACCES', // measured on Linux 6.18: bpf_get_task_exe_file, bpf_put_file, bpf_path_d_path, bpf_get_file_xattr in iter/task(_file)
    kernelText: 'calling kernel function %s is not allowed',
    explanation: 'check_kfunc_call() looks the kfunc up in the kfunc sets registered for the program\'s type. fs/bpf_fs_kfuncs.c registers bpf_get_task_exe_file, bpf_put_file, bpf_path_d_path and the xattr getters for BPF_PROG_TYPE_LSM only, so an iterator (BPF_PROG_TYPE_TRACING) that calls one does not load; bpf_d_path() is the helper iterators get.',
  }),
  HelperNotModelled: d(2041, 'warning', 'bpf-iter-lab does not model {0} yet: the kernel lets iterator programs call it, but its arguments are not checked here and its result is unknown to the checker; {1}', {
    explanation: 'Measured on Linux 6.18: the helper is given to iterator programs (its arguments decide the rest). The checker assumes nothing of its result, so it reports nothing that depends on it.',
  }),
  HelperArgUntrusted: d(2045, 'error', 'Argument {1} of {2} comes from {0}, a pointer loaded from a kernel struct, which the verifier no longer trusts. Pass a pointer the program was given (a ctx field) or derived from one by `&ptr->member`. Verifier: "{3}"', {
    kernelText: 'R%d type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_',
    explanation: 'check_ptr_to_btf_access() marks a pointer read out of a kernel struct PTR_UNTRUSTED: reading through it is allowed (as a probe read), passing it to a helper that takes a kernel object is not. Measured on Linux 6.18: bpf_d_path(&task->mm->exe_file->f_path, ...) and even bpf_d_path(&ctx->vma->vm_file->f_path, ...) are refused; bpf_d_path(&ctx->file->f_path, ...) of iter/task_file loads.',
  }),
  HelperBtfArgMaybeNull: d(2090, 'error', 'Argument {1} of {2} may be NULL here: {0} was not checked on this load (clang reads a vmlinux.h struct field again each time it is named, and each read is a new maybe-NULL value). Keep the field in a local, check the local and pass it. Verifier: "{3}"', {
    kernelText: 'R%d type=%s expected=ptr_, trusted_ptr_, rcu_ptr_',
    explanation: 'check_reg_type() for ARG_PTR_TO_BTF_ID (bpf_find_vma(), bpf_get_task_stack(), bpf_copy_from_user_task(), bpf_task_pt_regs(), bpf_d_path()) takes no PTR_MAYBE_NULL pointer; only the _OR_NULL argument of bpf_task_storage_get() and bpf_task_storage_delete() does. Measured on Linux 6.18: `if (!ctx->task) return 0; bpf_find_vma(ctx->task, ...)` is refused with "R1 type=trusted_ptr_or_null_" (iter/task) or "ptr_or_null_" (iter/task_vma), EACCES.',
  }),
  HelperMemArgNotTrusted: d(2046, 'error', 'Argument {1} of {2} must point to memory the program owns or a trusted kernel object, but {0} is a kernel object the verifier does not trust ({3}). Copy it first (bpf_probe_read_kernel() or bpf_probe_read_kernel_str() into a local), then pass the copy. Verifier: "{4}"', {
    kernelText: 'R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_',
    explanation: 'check_reg_type() for a memory argument (ARG_PTR_TO_MEM: bpf_seq_write()\'s data, bpf_strncmp()\'s first string, a map key or value) takes a kernel object only when the pointer is PTR_TRUSTED. Measured on Linux 6.18: ctx->ksym, ctx->file, ctx->vma, ctx->unix_sk and the bpf_skc_to_*() results are plain "ptr_"; a pointer loaded from a kernel struct is "untrusted_ptr_", or "rcu_ptr_" for the few fields the verifier keeps under RCU (task->group_leader, task->real_parent, cgroup->kn). bpf_strncmp(ctx->ksym->name, ...) and bpf_seq_write(seq, &ctx->file->f_flags, 4) are refused; the same calls through ctx->task or ctx->map (trusted) load.',
  }),
  GlobalFuncReturnNotScalar: d(2047, 'error', '{0}() is a global function (not static, __noinline): the verifier checks it on its own and supports only an integer (or enum) return value. Return an int, or make the function static. Verifier: "{1}"', {
    kernelText: "Global function %s() doesn't return scalar. Only those are supported.",
    loadErrno: 'EINVAL', // measured on Linux 6.18: a void global function
    explanation: 'btf_prepare_func_args() refuses a global function whose return type is not an integer or an enum (void included); the call is then "Caller passes invalid args into func#N".',
  }),
  GlobalFuncArgInvalid: d(2048, 'error', 'Argument {1} of the global function {0}() {2}: the verifier checks a global function on its own, from its prototype, and refuses the call. Verifier: "{3}"', {
    kernelText: "Caller passes invalid args into func#%d ('%s')",
    loadErrno: 'EINVAL', // measured on Linux 6.18 (btf_check_subprog_call() failing)
    explanation: 'btf_prepare_func_args() types each argument of a global __noinline function from its BTF: an integer is an unknown scalar (a pointer passed there is "R1 is not a scalar"), a pointer to a sized type is memory of exactly that size that may be NULL (the caller must pass NULL, stack or map memory with that many bytes readable and writable: not the ctx, not a kernel object such as a task or the seq_file, not read-only data), a pointer to void or to an incomplete type is refused ("size cannot be determined"). Kernel objects go to a global function only through a parameter tagged __arg_trusted or __arg_ctx; or make the function static, which the verifier checks with the caller\'s arguments.',
  }),
  MemOutOfBounds: d(2049, 'error', '{0} points to {1} bytes (its pointee type\'s size), but this access reads or writes {3} bytes at offset {2}. Verifier: "{4}"', {
    kernelText: 'invalid access to memory, mem_size=%d off=%d size=%d',
    explanation: 'A pointer parameter of a global function is memory of its pointee type\'s size to the verifier (`char *buf` is 1 byte): the function is checked on its own, so what the caller passes does not matter. Pass a pointer to a struct or an array type of the size needed (`char (*buf)[64]`, `struct buf *`), or make the function static.',
  }),
  ExternNotResolved: d(2050, 'error', '{0} has no body and {1}: libbpf cannot resolve the call, so the object does not even open. Define the function (static), or declare a kfunc of the kernel with __ksym. libbpf: "{2}"', {
    loadErrno: 'ENOENT', // measured on Linux 6.18 with this machine's libbpf: bpftool "can't open objfile", -2
    kernelText: "failed to find BTF for extern '%s'",
    explanation: 'clang emits a call of a function it has no body for as a relocation against an extern symbol. libbpf resolves extern functions only in the .ksyms section (`extern ... __ksym`), against the kernel\'s BTF; an extern outside it, or a function called without any declaration (clang 14 only warns, and emits no BTF for it), fails bpf_object__open(): "failed to find BTF for extern \'foo\'". A __ksym kfunc the kernel lacks fails at load instead ("not found in kernel or module BTFs"), which bpf-iter-lab does not check. In an iterator program the call is reported where a checked path reaches it; in the file\'s other programs (kprobes, tracepoints), which are not checked path by path, only where it certainly runs, since clang removes a call its constant folding proves dead (a `case` an inline helper is never called with). A function with clang\'s error attribute (a compile-time assertion) is never reported here: a built object never calls it (BPF2081).',
  }),
  LinkedFunctionNotSimulated: d(2058, 'warning', '{0} has no body here: {1}, a unit linked with this one by bpftool gen object, defines it. The checker assumes nothing of what it returns, and a run stops when it reaches the call', {
    explanation: 'Projects that build one object from several compilation units (`bpftool gen object`, libbpf\'s static linker) call the global functions of the other units through plain `extern` declarations; the linker resolves each against the unit that defines it. bpf-iter-lab checks one file at a time: such a call is no error, but what the function does is not known here.',
  }),
  HelperNotSimulated: d(2044, 'warning', 'The kernel runs {0} (its arguments are checked here), but bpf-iter-lab does not simulate it: {1}. A run stops when it reaches the call', {
    explanation: 'The program loads and runs on the kernel; only the simulated run cannot go past this call. Most such helpers read the current task: in an iterator that is the process reading the seq_file (cat, bpftool), not the task being iterated.',
  }),
  KfuncNotModelled: d(2042, 'warning', 'bpf-iter-lab does not model the kfunc {0} yet: libbpf resolves it against the running kernel\'s BTF (the load fails there if that kernel lacks it), its arguments are not checked here and its result is unknown to the checker; a run stops when it reaches the call', {
    explanation: 'Kfuncs are kernel functions a BPF program declares `extern ... __ksym`. The checker models bpf_map_sum_elem_count, bpf_sock_destroy and the numbers iterator; for any other it assumes nothing, so it reports nothing that depends on it.',
  }),
  UnknownHelper: d(2011, 'error', '{0} is not a helper known to the kernel. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'unknown func %s#%d',
  }),
  HelperNotAllowed: d(2012, 'error', '{0} is not available to iterator programs (BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER). Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'program of this type cannot use helper %s#%d',
  }),
  GplOnlyHelper: d(2013, 'error', '{0} is GPL-only and the program\'s license is not GPL-compatible. Verifier: "{1}"', {
    kernelText: 'cannot call GPL-restricted function from non-GPL compatible program',
  }),
  UninitializedStackRead: d(2014, 'warning', '{0} is read before it is written on some path; the value is stack garbage. An unprivileged verifier says: "{1}"', {
    kernelText: 'invalid read from stack off %d+%d size %d',
    explanation: 'Iterator programs are loaded with CAP_BPF+CAP_PERFMON, for which the verifier allows reading uninitialised stack (env->allow_uninit_stack) and the program sees whatever was there. Zero-initialise the variable (`= {}`). Offsets are relative to the frame pointer as laid out by bpf-iter-lab, which may differ from clang\'s layout.',
  }),
  UninitializedStackHelperRead: d(2015, 'warning', '{0} is passed to {1}, which reads it, before all of its {2} bytes are written; the helper sees stack garbage. An unprivileged verifier says: "{3}"', {
    kernelText: 'invalid read from stack R%d off %d+%d size %d',
    explanation: 'check_stack_range_initialized(): a helper argument that the helper reads must be fully written on the stack first (kernels before about v6.10 print "invalid indirect read from stack").',
  }),
  UninitializedLocal: d(2016, 'warning', '{0} is used before it is assigned on some path; clang may leave the register unset. Verifier: "{1}"', {
    kernelText: 'R%d !read_ok',
  }),
  WriteIntoReadonlyMap: d(2017, 'error', '{0} is read-only (.rodata is frozen at load). Verifier: "{1}"', {
    kernelText: 'write into map forbidden, value_size=%d off=%d size=%d',
  }),
  MapValueOutOfBounds: d(2018, 'error', 'Access outside {0}. Verifier: "{1}"', {
    kernelText: 'invalid access to map value, value_size=%d off=%d size=%d',
  }),
  WriteIntoKernelStruct: d(2019, 'error', '{0} is a kernel object the program may only read. Verifier: "{1}"', {
    kernelText: 'only read is supported',
  }),
  ModifiedCtxDereference: d(2020, 'error', 'The ctx pointer is dereferenced after pointer arithmetic. Verifier: "{0}"', {
    kernelText: 'dereference of modified ctx ptr R%d off=%d disallowed',
  }),
  CtxAccessMisaligned: d(2021, 'error', 'ctx fields are 8-byte pointers at multiples of 8. Verifier: "{0}"', {
    kernelText: "func '%s' offset %d is not multiple of 8",
  }),
  ScalarDereference: d(2022, 'error', '{0} is not a pointer the verifier knows. Verifier: "{1}"', {
    kernelText: "R%d invalid mem access '%s'",
  }),
  RdonlyBufAsHelperArg: d(2023, 'error', 'ctx->key (rdonly_buf) cannot be passed as argument {0} of {1}. Verifier: "{2}"', {
    kernelText: 'R%d type=%s expected=%s',
    explanation: 'Map helpers want a pointer to stack or map memory for keys and values; the read-only key buffer does not match. Copy the key to the stack first.',
  }),
  CallTooDeep: d(2024, 'error', 'Calls nest deeper than the verifier allows (8 frames) or recurse. Verifier: "{0}"', {
    kernelText: 'the call stack of %d frames is too deep !',
  }),
  NullPassedToTrustedKfuncArg: d(2025, 'error', '{0} may be NULL here, but {1} needs a trusted non-NULL pointer. Verifier: "{2}"', {
    kernelText: 'Possibly NULL pointer passed to trusted arg%d',
  }),
  NonGplKernelStructAccess: d(2026, 'error', 'Reading {0} needs a GPL-compatible license. Verifier: "{1}"', {
    kernelText: "Cannot access kernel 'struct %s' from non-GPL compatible program",
    explanation: 'Loads through kernel pointers (ctx->meta, ctx->map, meta->seq) are BTF accesses, which the verifier allows only for GPL-compatible programs (check_ptr_to_btf_access()).',
  }),
  LoopBoundNotProven: d(2027, 'warning', 'bpf-iter-lab cannot see what bounds this loop ({0}); the verifier accepts it only if it reaches the exit within 1 million instructions', {
    kernelText: 'BPF program is too large. Processed %d insn',
    explanation: 'Loops are recognised as bounded when an exit condition compares a counter stepped by a constant with a bounded value. Other shapes (pointer walks, `while (n--)`) may still verify; if they do not, the verifier stops at 1,000,000 processed instructions.',
  }),
  FormatInvalidSpecifier: d(2501, 'warning', 'The program loads, but this bpf_seq_printf call always fails with -EINVAL at run time and prints nothing: {0}', {
    kernelText: 'bpf_bprintf_prepare(): -EINVAL',
    explanation: 'The kernel accepts only %d %i %u %x %X (with l or ll), %c, %s, %p and its pK px ps pS pB pks pus pi4 pI4 pi6 pI6 forms, %%, flags 0 + - space and a width. No precision, no *, no h/z/j modifiers, no floating point.',
  }),
  FormatTooFewArguments: d(2502, 'warning', 'The format has {0} conversions but only {1} arguments: the program loads, but this bpf_seq_printf call always returns -EINVAL at run time and prints nothing', {
    kernelText: 'bpf_bprintf_prepare(): -EINVAL',
  }),
  FormatTooManyArguments: d(2503, 'warning', '{0} takes at most 12 arguments, this call passes {1}: the program loads, but the call always returns -EINVAL at run time and prints nothing', {
    kernelText: 'MAX_BPRINTF_VARARGS 12',
    explanation: 'The helper itself refuses a data_len over 12 * 8 bytes (bpf_seq_printf(), bpf_snprintf(): -EINVAL); the verifier does not look at it, so a hand-written call with a larger u64 array loads (measured on 6.18 for both helpers). BPF_SEQ_PRINTF and BPF_SNPRINTF with more than 12 values do not compile (BPF1233).',
  }),
  FormatArgumentMismatch: d(2504, 'warning', 'Format {0} expects {1}, but the argument has type {2}', {
    explanation: 'Like clang\'s -Wformat: %d/%u/%x/%c read the low 32 bits of the 64-bit slot, %ld/%lld/%lu/%llx all 64; %s and %p want pointers.',
  }),
  FormatPointerSuffixDropped: d(2507, 'warning', '"{0}" prints as {1}: the kernel skips the letters and digits after a %p conversion ("{2}" is not printed){3}', {
    kernelText: 'bstr_printf(): while (isalnum(*fmt)) fmt++',
    explanation: 'bpf_bprintf_prepare() formats an IP address itself with its own two-letter spec (%pI4, %pi4, %pI6, %pi6), so the modifiers of the kernel\'s printk (c for a compressed IPv6 address, h n b l for IPv4 byte order) have no effect; then bstr_printf() skips every letter and digit that follows a %p conversion. Put a space or punctuation after the conversion to print text there.',
  }),
  FormatNotConstant: d(2505, 'error', 'The format of {0} must be a constant string', {}),
  FormatNonPrintable: d(2506, 'warning', 'The program loads, but this bpf_seq_printf call always fails with -EINVAL at run time: the format contains a character that is neither printable ASCII nor whitespace (code {0})', {
    kernelText: 'bpf_bprintf_prepare(): -EINVAL',
  }),
  SnprintfFormatRefused: d(2508, 'error', 'bpf_snprintf\'s format is checked when the program loads, and the verifier refuses this one: {0}. Verifier: "Invalid format string"', {
    kernelText: 'Invalid format string',
    loadErrno: 'EINVAL', // measured on Linux 6.18: BPF_SNPRINTF with "%5.2f", and with "%d %d" and one argument
    explanation: 'check_bpf_snprintf_call() runs bpf_bprintf_prepare() on bpf_snprintf\'s constant format when the program loads (bpf_seq_printf\'s format is only read when it runs): a conversion the kernel does not accept, more conversions than arguments, or a character that is neither printable ASCII nor whitespace refuses the whole program. The kernel accepts %d %i %u %x %X (with l or ll), %c, %s, %p and its pK px ps pS pB pks pus pi4 pI4 pi6 pI6 forms, %%, flags 0 + - space and a width.',
  }),
  CtxWrite: d(2028, 'error', 'The iterator context is read-only: the verifier rejects writing to it. Verifier: "{0}"', {
    kernelText: 'invalid bpf_context access off=%d size=%d',
    explanation: 'Tracing programs (iterators included) may only read their context (btf_ctx_access() refuses BPF_WRITE). Copy the field into a local and change the local.',
  }),
  HelperStackReadOutOfBounds: d(2029, 'error', '{0} ({1} bytes on the stack) is smaller than the {2} bytes {3} accesses through it. Verifier: "{4}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'invalid %s stack R%d off=%d size=%d',
    explanation: 'A helper\'s memory argument must lie inside initialised stack bytes (check_helper_mem_access()). Pass the size of the object, e.g. sizeof(x).',
  }),
  // callbacks and open-coded iterators (BPF2480-2489)
  CallbackReturnOutOfRange: d(2480, 'error', 'A {0} callback must return 0 (go on) or 1 (stop), this returns {1}. Verifier: "{2}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'At callback return the register R0 has smin=%lld smax=%lld should have been in [0, 1]',
    explanation: 'The verifier checks the return value of bpf_loop() and bpf_for_each_map_elem() callbacks against [0, 1] (callback_ret_range): 0 continues, 1 stops.',
  }),
  CallbackNotFunction: d(2481, 'error', 'Argument {0} of {1} must be a static function of this program (the callback). Verifier: "{2}"', {
    kernelText: 'R%d type=%s expected=func',
    explanation: 'bpf_loop() and bpf_for_each_map_elem() take the callback as a function name (ARG_PTR_TO_FUNC); the verifier analyses it as a subprogram.',
  }),
  CallbackCtxNotStack: d(2482, 'error', 'The callback context {0} passed to {1} must point to the program\'s stack (or be NULL). Verifier: "{2}"', {
    kernelText: 'R%d type=%s expected=fp',
    explanation: 'The context argument of bpf_loop() and bpf_for_each_map_elem() is ARG_PTR_TO_STACK_OR_NULL: pass the address of a local (often a struct) or NULL; globals and map values are refused.',
  }),
  IterNotInitialized: d(2483, 'error', '{0} is not an initialised {2} here: call {3}() on it first. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts; bpf_iter_task_next/destroy too)
    kernelText: 'expected an initialized iter_%s as arg #%d',
    explanation: 'An open-coded iterator (struct bpf_iter_num, bpf_iter_task...) is a stack slot the verifier tracks: next() and destroy() need one its new() kfunc initialised on this path and that was not destroyed or overwritten since.',
  }),
  IterAlreadyInitialized: d(2484, 'error', '{0} is already an active {2}: destroy it before {3}() again. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 with bpf_iter_task_new() twice
    kernelText: 'expected uninitialized iter_%s as arg #%d',
  }),
  KfuncReferenceLeak: d(2051, 'error', '{0} is still held when the program exits: a reference a kfunc acquired must be released ({1}) on every path that got it. Verifier: "{2}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18: bpf_task_acquire() without bpf_task_release()
    kernelText: 'Unreleased reference id=%d alloc_insn=%d',
    explanation: 'A KF_ACQUIRE kfunc (bpf_task_acquire()) returns a counted reference or NULL; check_reference_leak() refuses the program if a path reaches BPF_EXIT holding one. The NULL path holds nothing: after `if (!ref) return 0;` only the other path must release it.',
  }),
  KfuncReleaseUnreferenced: d(2052, 'error', '{0} releases {1}, which holds no reference: only a pointer a kfunc acquired (bpf_task_acquire()) may be released. Verifier: "{2}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18: bpf_task_release(ctx->task)
    kernelText: 'release kernel function %s expects refcounted PTR_TO_BTF_ID',
  }),
  SleepableHelperInRcu: d(2070, 'error', '{0} may sleep, and a program may not sleep between bpf_rcu_read_lock() and bpf_rcu_read_unlock(): call it outside the read-side section. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18: bpf_copy_from_user, bpf_copy_from_user_task, bpf_get_task_stack in iter.s/task
    kernelText: 'sleepable helper %s#%d in rcu_read_lock region',
    explanation: 'check_helper_call() refuses a might_sleep helper while an RCU read-side section is open (active_rcu_lock). A sleepable program gets might_sleep protos of bpf_copy_from_user, bpf_copy_from_user_task, bpf_get_task_stack and bpf_get_stack.',
  }),
  RcuLockNested: d(2053, 'error', 'bpf_rcu_read_lock() is called again inside its own read-side section: the verifier refuses nested sections. Verifier: "{0}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18
    kernelText: 'nested rcu read lock (kernel function %s)',
  }),
  RcuUnlockUnmatched: d(2054, 'error', 'bpf_rcu_read_unlock() without a bpf_rcu_read_lock() before it on this path. Verifier: "{0}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18
    kernelText: 'unmatched rcu read unlock (kernel function %s)',
  }),
  RcuLockHeldAtExit: d(2055, 'error', 'The program exits inside the read-side section bpf_rcu_read_lock() opened: call bpf_rcu_read_unlock() on every path first. Verifier: "{0}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18
    kernelText: 'BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region',
  }),
  MapFuncIncompatible: d(2056, 'error', '{0} cannot be passed to {1}: a map of type {2} {3}. Verifier: "{4}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (hash map to bpf_task_storage_get, task storage to bpf_map_lookup_elem)
    kernelText: 'cannot pass map_type %d into func %s#%d',
    explanation: 'check_map_func_compatibility(): a local storage map (task, socket, inode, cgroup) is reached only through its own get/delete helpers, with the owner object, never by key; and those helpers take only their own kind of map.',
  }),
  HelperConstStrNotReadonly: d(2057, 'error', 'Argument {0} of {1} must be a constant string in read-only memory (a string literal, or a const global in .rodata), but it is {2}. Verifier: "{3}"', {
    loadErrno: 'EACCES', // measured on Linux 6.18 (bpf_strncmp() with a .data string)
    kernelText: 'R%d does not point to a readonly map\'',
    explanation: 'bpf_strncmp()\'s second string and bpf_snprintf()\'s format are ARG_PTR_TO_CONST_STR: the verifier reads the string at load time, so it must sit at a constant offset in a frozen read-only map (libbpf freezes .rodata). Make the global `const` (or `const volatile` to set it from user space before load), or pass a string literal.',
  }),
  StrlenNotFolded: d(2080, 'error', 'clang folds __builtin_strlen() only of a constant string; here its argument is {0}, so clang calls the library\'s strlen, which no kernel has: libbpf cannot resolve the call and the object does not even open. libbpf: "{1}"', {
    loadErrno: 'ENOENT', // measured on Linux 6.18 with this machine's libbpf: bpftool "failed to open object file"
    kernelText: "failed to find BTF for extern '%s'",
    explanation: 'clang computes __builtin_strlen() at compile time when its argument is a string constant once inlined helpers are folded (a literal, `__FILE__` passed to an `__always_inline` function); otherwise it emits a call of strlen, an extern that libbpf resolves only against the kernel\'s BTF, where there is none. Measure the string with a bounded loop, or use the length bpf_probe_read_kernel_str() returns.',
  }),
  SignedDivisionNotCompiled: d(2059, 'warning', 'clang may not compile this signed {0} for BPF: before -mcpu=v4 the backend has none, and clang makes it unsigned only where it proves both operands non-negative; here they may be negative (dividend {1}, divisor {2}). clang 14: "Unsupport signed division". Cast an operand to an unsigned type', {
    kernelText: 'Unsupport signed division for DAG: %s',
    explanation: 'The BPF instruction set has signed division and remainder only from CPU v4 (clang 18 and later with -mcpu=v4). Before, clang\'s BPF backend stops the build at a signed / or % (even by a power of two such as 4) unless the optimizer turns it into an unsigned one, which it does when it knows both operands are not negative: a zero-extended unsigned value, a mask like `& 0xff`, a condition such as `if (x >= 0)` on the way. bpf-iter-lab follows the same facts (and the checked path\'s ranges); where it warns, clang may still find a proof it does not see, which is why this is a warning. Cast an operand to an unsigned type (`(__u32)x / 3`), or build with -mcpu=v4.',
  }),
  PointerReadAsString: d(2067, 'warning', '`{0}` is a pointer ({1}): {2}() of its address copies the pointer\'s own bytes as the string (an address, then what follows it up to a NUL), not the string it points to. Read the pointer first, then the string: `bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(...))`', {
    explanation: 'BPF_CORE_READ_STR_INTO(&buf, src, a, b, name) reads its last accessor at `&...->name`, which is right for a `char name[16]` array and wrong for a `const char *name` pointer (kernfs_node\'s name, dentry names through d_name.name, a kmem_cache\'s name): the helper then copies the eight bytes of the pointer, a kernel address, and the bytes after it until a NUL, and the program prints them. clang builds it and the kernel runs it; bpf-iter-lab warns because those bytes are an address no scenario can reproduce. Read the pointer with BPF_CORE_READ() and pass it to bpf_probe_read_kernel_str(), or use BPF_CORE_READ_STR_INTO only for arrays.',
  }),
  CompileTimeErrorReached: d(2081, 'warning', '{0}() carries clang\'s error attribute ("{1}"): clang refuses the build if this call is still there after optimization, and the checker found a path that reaches it (a condition it could not fold as clang does); a run stops if it gets there', {
    kernelText: "call to %s declared with 'error' attribute: %s",
    explanation: 'A compile-time assertion declares a function with __attribute__((error("..."))) and calls it where a condition fails; clang removes the call when optimization proves the condition, and stops the build with "call to ... declared with \'error\' attribute" when it cannot. An object that was built never calls it. The checker follows values through inlined helpers as clang does, but not every fold clang makes; where it reaches the call, the build may still succeed. Make the condition a constant of C, or check that clang builds the file.',
  }),
  StaticProgram: d(2082, 'warning', 'program \'{0}\' is static: libbpf 1.x refuses to open the object, so bpftool and a skeleton cannot load it. libbpf: "{1}"', {
    kernelText: "sec '%s': program '%s' is static and not supported",
    explanation: 'clang emits a static function with a section attribute as a local symbol; libbpf (1.0 and later, bpf_object__add_programs()) takes only global functions of a program section as programs and stops at open with "program ... is static and not supported" (measured with bpftool 7.1 / libbpf 1.1 on an iterator). cilium/ebpf loads such a program, so this is a warning. Remove `static`.',
  }),
  LegacyMapsSection: d(2083, 'warning', 'map \'{0}\' is defined in the legacy SEC("maps") section: libbpf 1.x refuses to open the object, so bpftool and a skeleton cannot load it. libbpf: "{1}"', {
    kernelText: "elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+",
    explanation: 'libbpf 0.x read map definitions (`struct bpf_map_def`) from an ELF section named "maps"; libbpf 1.0 dropped them and bpf_object__open() stops at such a section (measured with bpftool 7.1 / libbpf 1.1). cilium/ebpf and iproute2 (`struct bpf_elf_map`) still load them, so this is a warning. Define the map in SEC(".maps") with the __uint/__type macros of bpf_helpers.h.',
  }),
  IterNotDestroyed: d(2485, 'error', 'The {2} {0} is still active when the program exits: call {3}() on every path. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts; a task iterator too)
    kernelText: 'BPF_EXIT instruction in main prog would lead to reference leak',
    explanation: 'An open-coded iterator\'s new() kfunc (bpf_iter_num_new(), bpf_iter_task_new()...) acquires a reference the verifier tracks, even when it fails at run time; every path to the program\'s exit must release it with the matching destroy() kfunc.',
  }),
  IterNeedsRcu: d(2488, 'error', '{0}() needs an RCU read-side section here: a sleepable program must call bpf_rcu_read_lock() before it (and keep the section open while it uses the iterator). Verifier: "{1}"', {
    loadErrno: 'EACCES', // measured on Linux 6.18: bpf_iter_task_new() in iter.s/task without bpf_rcu_read_lock()
    kernelText: 'kernel func %s requires RCU critical section protection',
    explanation: 'The task and css iterators are KF_RCU_PROTECTED: the tasks and cgroups they walk stay valid only inside an RCU read-side section. A non-sleepable program (SEC("iter/...")) always runs in one; a sleepable one (SEC("iter.s/...")) opens one with bpf_rcu_read_lock().',
  }),
  IterOutsideRcu: d(2489, 'error', 'A bpf_rcu_read_unlock() before this {1}() call ended the RCU read-side section {0} depends on (a task or css iterator needs one from new() to destroy()): the iterator is no longer valid. Keep the whole walk, destroy included, on one side of the unlock. Verifier: "{2}"', {
    loadErrno: 'EPROTO', // measured on Linux 6.18, in iter/task and iter.s/task alike
    kernelText: 'expected an RCU CS when using %s',
    explanation: 'bpf_rcu_read_unlock() marks every KF_RCU_PROTECTED iterator alive (a task or css iterator, even one made before bpf_rcu_read_lock() in a non-sleepable program) untrusted; its next() and destroy() are then refused. Destroy the iterator before the unlock, or make it after.',
  }),
  CallbackNotStatic: d(2486, 'error', '{0}, the callback of {1}, must be a static function. Verifier: "{2}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'callback function not static',
    explanation: 'A global (non-static) function is verified on its own, with no knowledge of the caller; the verifier accepts only static functions as bpf_loop()/bpf_for_each_map_elem() callbacks. Declare it `static`.',
  }),
  CallbackMapNotAllowed: d(2487, 'error', 'bpf_for_each_map_elem cannot walk {0}, a map of type {1}. Verifier: "{2}"', {
    loadErrno: 'ENOTSUPP', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'callback function not allowed for map',
    explanation: 'Only maps whose ops have map_for_each_callback can be walked: hash maps (per-CPU and LRU too), arrays and per-CPU arrays; not the local storages (task, socket, inode, cgroup), whose values are reached through their owners.',
  }),
  CoreRelocationUnresolved: d(2990, 'error', 'CO-RE: libbpf cannot relocate {0} against the kernel\'s BTF (no such struct or field, a field of another kind, or a signed integer of another size): it replaces this access with a call of an invalid helper, and the verifier rejects the program because it reaches it. Verifier: "{1}"', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'failed to resolve CO-RE relocation %s',
    explanation: 'Fields of a struct with preserve_access_index are relocated by name against the running kernel\'s BTF (bpf_core_calc_field_relo). A field the kernel\'s struct does not have, or has with an incompatible kind (bpf_core_fields_are_compat), or a signed integer field of another size, cannot be relocated: libbpf poisons the instruction (bpf_core_poison_insn), which loads only if the verifier proves it unreachable. Check the field name against the kernel\'s struct, or guard the access with bpf_core_field_exists().',
  }),
  StackAccessOutsideFrame: d(2991, 'error', 'This {0} {1} bytes at offset {2} of {3} ({4} bytes), past the top of the stack frame. Verifier: "{5}"', {
    kernelText: 'invalid read from stack R%d off=%d size=%d',
    explanation: 'Fields of a struct with preserve_access_index are relocated to the kernel\'s offsets even when the struct is a local copy (clang relocates every access to such a struct): a copy declared with fewer fields than the kernel\'s is too small for them. Copy into a struct without preserve_access_index, or read each field with BPF_CORE_READ.',
  }),
  CheckerInternalError: d(2999, 'warning', 'Internal checker error, results may be incomplete: {0}', {}),
  // ---- end of verifier diagnostics ----

  // ---- BPF3000-3999: load, attach and link ----
  AttachKeyAccessTooLarge: d(3001, 'error', 'This reads {0} bytes of the key, but map {1} has key_size {2}: attaching the iterator fails with EACCES', {
    kernelText: 'bpf_iter_attach_map(): key_acc > key_size -> -EACCES',
    explanation: 'bpf_iter_attach_map() compares the largest offset+size the program reads through ctx->key (max_rdonly_access) with the map\'s key_size.',
  }),
  AttachValueAccessTooLarge: d(3002, 'error', 'This accesses {0} bytes of the value, but map {1} allows {2} ({3}): attaching the iterator fails with EACCES', {
    kernelText: 'bpf_iter_attach_map(): value_acc > value_size -> -EACCES',
    explanation: 'bpf_iter_attach_map() compares the largest offset+size accessed through ctx->value (max_rdwr_access) with value_size, or round_up(value_size, 8) * possible CPUs for per-CPU maps.',
  }),
  GuessedAttachKeyAccessTooLarge: d(3004, 'warning', 'If attached to map {1} (the file\'s only map, but the program uses it itself; no scenario names attach.map), this read of {0} bytes of the key is past its key_size {2}: the attach would fail with EACCES', {
    kernelText: 'bpf_iter_attach_map(): key_acc > key_size -> -EACCES',
    explanation: 'A bpf_map_elem program is attached to the map `bpftool iter pin ... map name X` names. Without a scenario naming attach.map, the file\'s only map is assumed; one the program passes to helpers itself is more likely its output, so this is a warning. Name the map the program iterates in the scenario\'s "attach": { "map": ... }.',
  }),
  GuessedAttachValueAccessTooLarge: d(3005, 'warning', 'If attached to map {1} (the file\'s only map, but the program uses it itself; no scenario names attach.map), this access of {0} bytes of the value is past its {2} ({3}): the attach would fail with EACCES', {
    kernelText: 'bpf_iter_attach_map(): value_acc > value_size -> -EACCES',
    explanation: 'A bpf_map_elem program is attached to the map `bpftool iter pin ... map name X` names. Without a scenario naming attach.map, the file\'s only map is assumed; one the program passes to helpers itself is more likely its output, so this is a warning. Name the map the program iterates in the scenario\'s "attach": { "map": ... }.',
  }),
  AttachSleepableNotSupported: d(3003, 'error', 'iter.s/{0} programs load but cannot be attached: the {0} target does not support sleepable programs (EINVAL)', {
    kernelText: 'bpf_iter_link_attach(): prog->sleepable && !(tinfo->reg_info->feature & BPF_ITER_RESCHED) -> -EINVAL',
  }),
  // ---- end of attach diagnostics ----

  // ---- BPF4000-4999: run time and limits ----

  // ---- end of run-time diagnostics ----

  // ---- BPF1390-1399: lowering to the executable IR (integrator) ----
  UnsupportedConstruct: d(1390, 'warning', 'bpf-iter-lab cannot simulate {0} yet', {
    explanation: 'The program may well be valid C and valid BPF (clang compiles it), but this construct is not executed by the simulator. Checks that do not depend on it still run, and an iterator whose code (with the functions it calls) does not contain it runs; a run that needs it stops with ENOTSUP naming it. In a file of programs it is said only of code an iterator program of a simulated target reaches: a tc or kprobe program is checked, never run, so there is nothing to simulate.',
  }),
  TargetNotSimulated: d(1391, 'information', 'iterator target "{0}" is not simulated: its program is checked as the verifier would, but not run', {
    explanation: 'The checker knows every iterator target of Linux 6.18 (their ctx fields, NULL rules, sleepable and attach rules); the simulated kernel runs the targets it registers (see ARCHITECTURE.md). The others load on the kernel but cannot be run here yet.',
  }),
  UnknownIterTarget: d(1392, 'error', 'no iterator target "{0}" in Linux 6.18: libbpf finds no kernel function bpf_iter_{0}, and loading fails with ESRCH', {
    loadErrno: 'ESRCH', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'libbpf: prog \'%s\': failed to find kernel BTF type ID of \'bpf_iter_%s\'',
    explanation: 'SEC("iter/NAME") attaches to the kernel function bpf_iter_NAME, which exists only for registered targets: bpf_map, bpf_map_elem, task, task_file, task_vma, bpf_prog, bpf_link, tcp, udp, unix, netlink, ipv6_route, cgroup, ksym, kmem_cache, bpf_sk_storage_map, sockmap, dmabuf.',
  }),
  IterProgramArity: d(1393, 'error', 'iterator program {0} takes {1} parameters; it must take exactly one, the ctx pointer', {
    explanation: 'An iterator program is called with one argument, a pointer to struct bpf_iter__<target>.',
  }),
  IterCtxType: d(1394, 'error', 'the ctx of an iter/{0} program is {1}, not {2}', {
    loadErrno: 'EACCES', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    explanation: 'The verifier checks the program\'s BTF: the single argument must be a pointer to the target\'s ctx struct (struct bpf_iter__bpf_map for iter/bpf_map, struct bpf_iter__bpf_map_elem for iter/bpf_map_elem).',
  }),
  MissingLicense: d(1395, 'error', 'no SEC("license"): the program is not GPL-compatible, so bpf_seq_printf and the other GPL-only helpers are refused', {
    loadErrno: 'EINVAL', // measured on Linux 6.18 (test/oracle/corpus-kernel.test.ts)
    kernelText: 'cannot call GPL-restricted function from non-GPL compatible program',
    explanation: 'Add `char LICENSE[] SEC("license") = "GPL";`. Iterator helpers (bpf_seq_printf, bpf_seq_write) are GPL-only.',
  }),
  ScenarioInvalid: d(1396, 'warning', 'the scenario file is invalid: {0}', {
    explanation: 'The program is checked without the scenario\'s maps and sizes until the scenario file is fixed; run reports the same problems with their places in the scenario file.',
  }),
  TooManyDiagnostics: d(1397, 'error', 'at least {0} more diagnostics not shown (at most {1} are reported)', {
    explanation: 'Like clang\'s -ferror-limit: one broken construct repeated many times (or a file including itself) cascades; fix the first ones and the rest are checked again.',
  }),
  UnrelocatedGlobalPointer: d(1398, 'warning', 'This reads a pointer stored in {0} at an index known only at run time: libbpf does not relocate pointers in global data ("skipping relo section .rel{1}"), so it holds an offset into a section, not an address ("%s" of it prints nothing)', {
    kernelText: 'libbpf: elf: skipping relo section(%d) %s for section(%d) %s',
    explanation: 'clang stores the address of a string or global in an initialized global as a relocation of .data or .rodata, which libbpf ignores. A load at a constant index (`names[1]`) of a const global, or of a static one the program never writes, is folded by clang into the instruction, which libbpf does relocate, so it works; at a run-time index it reads the unrelocated offset. Keep the strings in a char array (`char names[3][8]`) instead.',
  }),
  CoreTypeNotSimulated: d(1399, 'warning', 'CO-RE: the simulated kernel does not describe {0}, so this access uses the local offset; on a real kernel libbpf relocates it against the kernel\'s BTF', {
    explanation: 'The simulated kernel knows the BTF of the iterator types (bpf_map, bpf_iter_meta, seq_file, the bpf_iter__ contexts). Accesses to other kernel structs with preserve_access_index are run at the offsets of your own declaration. As BPF1390, it is said only of code a simulated iterator program reaches (or in a file without programs).',
  }),
  // ---- end of lowering diagnostics ----

  // ---- BPF1600-1619: project configuration (.bpf-iter.json) ----
  ProjectConfigInvalid: d(1600, 'warning', '{0}: {1}; its choices are not applied', {
    explanation: 'The project file `.bpf-iter.json` (found walking up from the file) may hold `disable` (an array of codes such as "BPF1020") and `warningsAsErrors` (true or false). `bpf-iter check` refuses an invalid one with exit code 2.',
  }),
} satisfies Record<string, DiagnosticMessage>;

export type DiagnosticKey = keyof typeof Diagnostics;

/** The declaration of a code, or undefined for a code no diagnostic has. */
export function diagnosticOfCode(code: number): DiagnosticMessage | undefined {
  codeIndex ??= new Map((Object.values(Diagnostics) as DiagnosticMessage[]).map((m) => [m.code, m]));
  return codeIndex.get(code);
}
let codeIndex: Map<number, DiagnosticMessage> | undefined;

/** Formats `"BPF1234"` from a numeric code, the form shown to users and used in docs links. */
export function codeString(code: number): string {
  return `BPF${code}`;
}

/**
 * The diagnostics reference page (docs/diagnostics.md): one section per code, anchored `#bpfNNNN`, which the
 * editor's diagnostic links point at. Generated at build from this table; a test keeps the committed copy current.
 */
export function renderDiagnosticsDoc(): string {
  const entries = (Object.values(Diagnostics) as DiagnosticMessage[]).slice().sort((a, b) => a.code - b.code);
  const ranges: Array<[number, number, string]> = [
    [1000, 1099, 'Preprocessor'], [1100, 1199, 'Parser'], [1200, 1389, 'Types and semantics'],
    [1390, 1399, 'Programs, lowering and scenarios'], [1600, 1619, 'Project configuration'], [2000, 2999, 'What the verifier rejects'],
    [3000, 3999, 'Load, attach and link'], [4000, 4999, 'Run time and limits'],
  ];
  const lines = ['# Diagnostics', '', 'Every diagnostic bpf-iter-lab reports, by code. Generated from `server/src/lang/diagnostics.ts`; do not edit.', ''];
  for (const [from, to, title] of ranges) {
    const inRange = entries.filter((e) => e.code >= from && e.code <= to);
    if (inRange.length === 0) continue;
    lines.push(`## ${title}`, '');
    for (const e of inRange) {
      lines.push(`### ${codeString(e.code)}`, '', `**${e.category}**: ${e.message.replace(/\{(\d+)\}/g, '…')}`, '');
      if (e.kernelText) lines.push(`Original wording (clang, libbpf or the kernel): \`${e.kernelText}\``, '');
      if (e.explanation) lines.push(e.explanation, '');
    }
  }
  return lines.join('\n');
}

/**
 * Syntax tree of the C front end. Every node has the file and the exact [pos, end) UTF-16 range of the
 * tokens it was parsed from (for macro-expanded tokens: the range of the spelling, see token.ts `origin`).
 * Declarators are kept flat: `derivations` lists what is applied to the base type, innermost first, so
 * `int (*fp)(int)` is base `int` -> Function -> Pointer.
 */

export interface NodeBase {
  file: number;
  pos: number;
  end: number;
}

/** One token's place: the operators and brackets clang puts a diagnostic's caret on. */
export interface Span { file: number; pos: number; end: number }

export interface Attribute extends NodeBase {
  kind: 'Attribute';
  /** Normalised name: `__aligned__` and `aligned` are both `aligned`. */
  name: string;
  args: Expression[];
}

// ---- expressions ----
export interface Identifier extends NodeBase { kind: 'Identifier'; name: string }
export interface IntegerLiteral extends NodeBase { kind: 'IntegerLiteral'; text: string; value: bigint; unsigned: boolean; longs: number }
export interface FloatLiteral extends NodeBase { kind: 'FloatLiteral'; text: string; value: number }
export interface CharLiteral extends NodeBase { kind: 'CharLiteral'; text: string; value: bigint }
export interface StringLiteral extends NodeBase { kind: 'StringLiteral'; parts: string[]; value: string; wide: boolean }
export interface UnaryExpression extends NodeBase { kind: 'Unary'; operator: string; operand: Expression }
export interface PostfixExpression extends NodeBase { kind: 'Postfix'; operator: '++' | '--'; operand: Expression; operatorSpan: Span }
export interface BinaryExpression extends NodeBase { kind: 'Binary'; operator: string; left: Expression; right: Expression; operatorSpan: Span }
export interface AssignmentExpression extends NodeBase { kind: 'Assignment'; operator: string; left: Expression; right: Expression; operatorSpan: Span }
export interface ConditionalExpression extends NodeBase { kind: 'Conditional'; condition: Expression; whenTrue?: Expression; whenFalse: Expression; questionSpan: Span }
export interface CommaExpression extends NodeBase { kind: 'Comma'; expressions: Expression[] }
export interface CallExpression extends NodeBase {
  kind: 'Call'; callee: Expression; args: Expression[];
  /** `(`, and `)` (where it was expected when it is missing). */
  openParen: Span; closeParen: Span;
}
export interface IndexExpression extends NodeBase { kind: 'Index'; object: Expression; index: Expression; openBracket: Span }
export interface MemberExpression extends NodeBase {
  kind: 'Member'; object: Expression; arrow: boolean; member: Identifier;
  /** The `.` or `->` token: clang puts the member diagnostics' caret there. */
  operatorSpan: Span;
}
export interface CastExpression extends NodeBase { kind: 'Cast'; typeName: TypeName; operand: Expression }
export interface CompoundLiteral extends NodeBase { kind: 'CompoundLiteral'; typeName: TypeName; initializer: InitializerList }
export interface SizeofExpression extends NodeBase {
  kind: 'Sizeof'; operator: 'sizeof' | '_Alignof'; operand: Expression | TypeName;
  /** Where the operand starts as written: its `(` when parenthesized (the expression keeps no parentheses). */
  operandStart: Span;
}
export interface StatementExpression extends NodeBase { kind: 'StatementExpression'; body: CompoundStatement }
export interface OffsetofExpression extends NodeBase { kind: 'Offsetof'; typeName: TypeName; designators: Designator[] }
export interface VaArgExpression extends NodeBase { kind: 'VaArg'; operand: Expression; typeName: TypeName }
export interface TypesCompatibleExpression extends NodeBase { kind: 'TypesCompatible'; left: TypeName; right: TypeName }
export interface GenericExpression extends NodeBase { kind: 'Generic'; control: Expression; associations: Array<{ typeName?: TypeName; value: Expression }> }
/** Placeholder where an expression was required but missing; a diagnostic was recorded. */
export interface MissingExpression extends NodeBase { kind: 'MissingExpression' }

export type Expression =
  | Identifier | IntegerLiteral | FloatLiteral | CharLiteral | StringLiteral | UnaryExpression | PostfixExpression
  | BinaryExpression | AssignmentExpression | ConditionalExpression | CommaExpression | CallExpression
  | IndexExpression | MemberExpression | CastExpression | CompoundLiteral | SizeofExpression
  | StatementExpression | OffsetofExpression | VaArgExpression | TypesCompatibleExpression | GenericExpression
  | MissingExpression;

// ---- initializers ----
export type Designator = { kind: 'FieldDesignator'; name: Identifier } & NodeBase
  | { kind: 'IndexDesignator'; index: Expression; last?: Expression } & NodeBase;
export interface InitializerList extends NodeBase { kind: 'InitializerList'; items: InitializerItem[] }
export interface InitializerItem extends NodeBase { kind: 'InitializerItem'; designators: Designator[]; value: Initializer }
export type Initializer = Expression | InitializerList;

// ---- types as written ----
export interface BuiltinTypeSpecifier extends NodeBase { kind: 'BuiltinType'; words: string[] }
export interface TypedefNameSpecifier extends NodeBase { kind: 'TypedefName'; name: Identifier }
export interface RecordSpecifier extends NodeBase {
  kind: 'RecordSpecifier';
  tag: 'struct' | 'union';
  name?: Identifier;
  /** Undefined for a reference `struct x`; present (maybe empty) for a definition. */
  members?: FieldDeclaration[];
  attributes: Attribute[];
}
export interface FieldDeclaration extends NodeBase {
  kind: 'FieldDeclaration';
  specifiers: DeclarationSpecifiers;
  declarators: Array<{ declarator: Declarator; bitWidth?: Expression; attributes: Attribute[] }>;
}
export interface Enumerator extends NodeBase { kind: 'Enumerator'; name: Identifier; value?: Expression }
/** `underlying`: clang's C extension (C23's too) `enum E : T { ... }`, a fixed underlying type. */
export interface EnumSpecifier extends NodeBase { kind: 'EnumSpecifier'; name?: Identifier; underlying?: TypeName; enumerators?: Enumerator[]; attributes: Attribute[] }
/** `typeof(x)` / `typeof(T)`; `auto`: GNU `__auto_type`, whose type is each declarator's initializer's (no operand). */
export interface TypeofSpecifier extends NodeBase { kind: 'Typeof'; operand: Expression | TypeName; auto?: true }
export type TypeSpecifier = BuiltinTypeSpecifier | TypedefNameSpecifier | RecordSpecifier | EnumSpecifier | TypeofSpecifier;

export interface DeclarationSpecifiers extends NodeBase {
  kind: 'DeclarationSpecifiers';
  storage: Array<'typedef' | 'extern' | 'static' | 'auto' | 'register' | '_Thread_local'>;
  qualifiers: string[];
  functionSpecifiers: string[];
  /** Builtin words are merged into one BuiltinType specifier; several entries mean an error was reported. */
  type?: TypeSpecifier;
  attributes: Attribute[];
  alignas: Array<Expression | TypeName>;
}

export type Derivation =
  | { kind: 'Pointer'; qualifiers: string[]; attributes: Attribute[] }
  | { kind: 'Array'; size?: Expression; qualifiers: string[] }
  | {
    kind: 'Function'; parameters: ParameterDeclaration[]; variadic: boolean; /** `f()` without prototype */ oldStyle: boolean;
    /** `f(a, b)`: a K&R identifier list; a definition's declarations before its body give the names their types */
    identifierList?: true;
  };

export interface Declarator extends NodeBase {
  kind: 'Declarator';
  name?: Identifier;
  derivations: Derivation[];
  attributes: Attribute[];
  /** GNU `asm("label")` after the declarator. */
  asmLabel?: StringLiteral;
}
export interface ParameterDeclaration extends NodeBase { kind: 'Parameter'; specifiers: DeclarationSpecifiers; declarator: Declarator }
export interface TypeName extends NodeBase { kind: 'TypeName'; specifiers: DeclarationSpecifiers; declarator: Declarator }

// ---- declarations ----
export interface InitDeclarator extends NodeBase { kind: 'InitDeclarator'; declarator: Declarator; initializer?: Initializer }
export interface Declaration extends NodeBase { kind: 'Declaration'; specifiers: DeclarationSpecifiers; declarators: InitDeclarator[] }
export interface StaticAssert extends NodeBase { kind: 'StaticAssert'; condition: Expression; message?: StringLiteral }
export interface FunctionDefinition extends NodeBase { kind: 'FunctionDefinition'; specifiers: DeclarationSpecifiers; declarator: Declarator; body: CompoundStatement }
/** Top-level `asm(...)` or a stray `;`. */
export interface EmptyDeclaration extends NodeBase { kind: 'EmptyDeclaration' }
export type ExternalDeclaration = Declaration | StaticAssert | FunctionDefinition | EmptyDeclaration;

// ---- statements ----
export interface CompoundStatement extends NodeBase { kind: 'Compound'; items: Array<Statement | Declaration | StaticAssert> }
export interface ExpressionStatement extends NodeBase { kind: 'ExpressionStatement'; expression?: Expression }
export interface IfStatement extends NodeBase { kind: 'If'; condition: Expression; then: Statement; else?: Statement }
export interface WhileStatement extends NodeBase { kind: 'While'; condition: Expression; body: Statement }
export interface DoStatement extends NodeBase { kind: 'Do'; body: Statement; condition: Expression }
export interface ForStatement extends NodeBase { kind: 'For'; init?: Declaration | Expression; condition?: Expression; update?: Expression; body: Statement }
export interface SwitchStatement extends NodeBase { kind: 'Switch'; discriminant: Expression; body: Statement }
export interface CaseStatement extends NodeBase { kind: 'Case'; value: Expression; last?: Expression; body: Statement }
export interface DefaultStatement extends NodeBase { kind: 'Default'; body: Statement }
export interface LabeledStatement extends NodeBase { kind: 'Labeled'; label: Identifier; body: Statement }
export interface JumpStatement extends NodeBase { kind: 'Break' | 'Continue' }
export interface GotoStatement extends NodeBase { kind: 'Goto'; label: Identifier }
export interface ReturnStatement extends NodeBase { kind: 'Return'; value?: Expression }
/** An operand of an asm statement, `[name] "constraint" (value)`: an output (before the second `:`) or an input. */
export interface AsmOperand { name?: string; constraint: string; value: Expression; output: boolean }
/**
 * `template`: the text inside the parentheses, token by token. `instructions` (the template string's value) and
 * `operands` when the body has the plain shape `("..." : outputs : inputs : clobbers)`.
 */
export interface AsmStatement extends NodeBase { kind: 'Asm'; template: string; instructions?: string; operands?: AsmOperand[] }
export type Statement =
  | CompoundStatement | ExpressionStatement | IfStatement | WhileStatement | DoStatement | ForStatement
  | SwitchStatement | CaseStatement | DefaultStatement | LabeledStatement | JumpStatement | GotoStatement
  | ReturnStatement | AsmStatement;

export interface TranslationUnit extends NodeBase { kind: 'TranslationUnit'; declarations: ExternalDeclaration[] }

export type Node =
  | Expression | Statement | ExternalDeclaration | TranslationUnit | Attribute | InitializerList | InitializerItem
  | TypeSpecifier | FieldDeclaration | Enumerator | DeclarationSpecifiers | Declarator | ParameterDeclaration
  | TypeName | InitDeclarator;

/**
 * The properties of each node kind that hold children, in the order the parser creates them (which is source
 * order). A table, as in TypeScript's forEachChild: walking by `Object.keys` allocated a key array and a
 * closure per node and was a tenth of the allocation of each edit. test/unit/lang/ast.test.ts checks the table
 * against a reflective walk over every corpus program and header.
 */
const CHILD_KEYS: Readonly<Record<Node['kind'] | Designator['kind'], readonly string[]>> = {
  Attribute: ['args'],
  Identifier: [], IntegerLiteral: [], FloatLiteral: [], CharLiteral: [], StringLiteral: [], MissingExpression: [],
  Unary: ['operand'], Postfix: ['operand'], Binary: ['left', 'right'], Assignment: ['left', 'right'],
  Conditional: ['condition', 'whenTrue', 'whenFalse'], Comma: ['expressions'], Call: ['callee', 'args'],
  Index: ['object', 'index'], Member: ['object', 'member'], Cast: ['typeName', 'operand'],
  CompoundLiteral: ['typeName', 'initializer'], Sizeof: ['operand'], StatementExpression: ['body'],
  Offsetof: ['typeName', 'designators'], VaArg: ['operand', 'typeName'], TypesCompatible: ['left', 'right'],
  Generic: ['control', 'associations'],
  FieldDesignator: ['name'], IndexDesignator: ['index', 'last'],
  InitializerList: ['items'], InitializerItem: ['designators', 'value'],
  BuiltinType: [], TypedefName: ['name'], RecordSpecifier: ['name', 'members', 'attributes'],
  FieldDeclaration: ['specifiers', 'declarators'], Enumerator: ['name', 'value'],
  EnumSpecifier: ['name', 'underlying', 'enumerators', 'attributes'], Typeof: ['operand'],
  DeclarationSpecifiers: ['attributes', 'alignas', 'type'],
  Declarator: ['name', 'derivations', 'attributes', 'asmLabel'],
  Parameter: ['specifiers', 'declarator'], TypeName: ['specifiers', 'declarator'],
  InitDeclarator: ['declarator', 'initializer'], Declaration: ['specifiers', 'declarators'],
  StaticAssert: ['condition', 'message'], FunctionDefinition: ['specifiers', 'declarator', 'body'], EmptyDeclaration: [],
  Compound: ['items'], ExpressionStatement: ['expression'], If: ['condition', 'then', 'else'], While: ['condition', 'body'],
  Do: ['body', 'condition'], For: ['init', 'condition', 'update', 'body'], Switch: ['discriminant', 'body'],
  Case: ['value', 'last', 'body'], Default: ['body'], Labeled: ['label', 'body'], Break: [], Continue: [],
  Goto: ['label'], Return: ['value'], Asm: ['operands'],
  TranslationUnit: ['declarations'],
};

/** The same for the plain records that hold nodes: derivations by kind, field declarators, _Generic associations. */
const RECORD_KEYS: Readonly<Record<string, readonly string[]>> = {
  Pointer: ['attributes'], Array: ['size'], Function: ['parameters'],
};
const FIELD_DECLARATOR_KEYS = ['declarator', 'bitWidth', 'attributes'];
const ASSOCIATION_KEYS = ['typeName', 'value'];

function visitValue(value: unknown, visit: (child: Node) => void): void {
  if (value === undefined || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visitValue(value[i], visit);
    return;
  }
  const record = value as Record<string, unknown>;
  const kind = record.kind;
  if (typeof kind === 'string' && 'pos' in record) {
    visit(value as Node);
    return;
  }
  const keys = typeof kind === 'string' ? RECORD_KEYS[kind] : 'declarator' in record ? FIELD_DECLARATOR_KEYS : ASSOCIATION_KEYS;
  if (keys === undefined) return;
  for (let i = 0; i < keys.length; i++) visitValue(record[keys[i]], visit);
}

/** Children of a node in source order, for walking (find node at offset, generic visitors). */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  const keys = CHILD_KEYS[(node as Node | Designator).kind];
  if (keys === undefined) return;
  const record = node as unknown as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) visitValue(record[keys[i]], visit);
}

/** Visits `root` and every node below it, parents before children, children in source order. */
export function walk(root: Node, visit: (node: Node) => void): void {
  const stack: Node[] = [root];
  const push = (child: Node): void => { stack.push(child); };
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    // Children are pushed in source order, then that run of the stack is reversed so the first pops first.
    let low = stack.length;
    forEachChild(node, push);
    for (let high = stack.length - 1; low < high; low++, high--) {
      const first = stack[low];
      stack[low] = stack[high];
      stack[high] = first;
    }
  }
}

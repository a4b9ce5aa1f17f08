/** Declarations: binding names in scopes, redeclaration rules, function definitions and their labels, initializers. */

import { appendAll } from '../arrays';
import * as ast from '../ast';
import { Diagnostics, DiagnosticMessage } from '../diagnostics';
import { CType, Types, compatible, findMember, isComplete, isScalar, quotedType, resolve, typeToString, unqualified } from '../types';
import type { SymbolKind, CSymbol, FunctionContext } from './model';
import { ExpressionAnalyzer } from './expressions';


export abstract class DeclarationAnalyzer extends ExpressionAnalyzer {
  // ---------------------------------------------------------------- declarations
  protected externalDeclaration(declaration: ast.ExternalDeclaration): void {
    switch (declaration.kind) {
      case 'Declaration': this.declaration(declaration); break;
      case 'FunctionDefinition': this.functionDefinition(declaration); break;
      case 'StaticAssert': this.staticAssert(declaration); break;
      default: break;
    }
  }

  protected staticAssert(node: ast.StaticAssert): void {
    const conditionType = this.expression(node.condition);
    const value = this.evaluate(node.condition);
    // an operand in error (an undeclared name) is reported already; clang says nothing more of the assertion
    if (value === undefined) { if (resolve(conditionType).kind !== 'error') this.report(Diagnostics.NotIntegerConstant, node.condition); }
    else if (value === 0n) this.report(Diagnostics.StaticAssertFailed, node, [node.message ? ` "${node.message.value}"` : '']);
  }

  protected declaration(node: ast.Declaration): void {
    const specifiedBase = this.specifiersType(node.specifiers);
    const isTypedef = node.specifiers.storage.includes('typedef');
    const auto = node.specifiers.type?.kind === 'Typeof' && node.specifiers.type.auto === true;
    for (const init of node.declarators) {
      // GNU __auto_type: the initializer's type, arrays and functions decayed, top-level qualifiers dropped
      const autoType = auto && init.initializer && init.initializer.kind !== 'InitializerList'
        ? unqualified(this.decay(this.expression(init.initializer))) : undefined;
      const base = autoType ?? specifiedBase;
      const type = this.declaratorType(base, init.declarator);
      const name = init.declarator.name;
      if (!name || !name.name) continue;
      const kind: SymbolKind = isTypedef ? 'typedef' : resolve(type).kind === 'function' ? 'function' : 'variable';
      // mirrors clang's Sema::ActOnUninitializedDecl / AddInitializerToDecl: a variable defined in a block (or with an
      // initializer) needs a complete type; a file-scope tentative definition may be completed later in the file
      const definesHere = kind === 'variable' && !node.specifiers.storage.includes('extern') && (this.scope !== this.fileScope || init.initializer !== undefined);
      const resolvedType = resolve(type);
      if (definesHere && resolvedType.kind !== 'array' && resolvedType.kind !== 'error' && !isComplete(type)) this.report(Diagnostics.VariableIncompleteType, name, [quotedType(type)]);
      const symbolType: CType = isTypedef ? { kind: 'typedef', name: name.name, target: type, declaration: init.declarator } : type;
      // `struct bpf_map_def SEC("maps") name`: clang gives the attributes after a tag that is not defined here to the
      // declaration (the variable lands in section "maps"), not to the struct
      const spec = node.specifiers.type;
      const tagAttributes = spec?.kind === 'RecordSpecifier' && spec.members === undefined ? spec.attributes : [];
      const attributes = [...node.specifiers.attributes, ...tagAttributes, ...init.declarator.attributes];
      // A file-scope `int x;` is a (tentative) definition too; `extern int x;` and a prototype are not.
      const defines = init.initializer !== undefined || (kind === 'variable' && this.scope === this.fileScope && !node.specifiers.storage.includes('extern'));
      const symbol = this.scope === this.fileScope && this.fileScope.parent
        ? this.declare(name, kind, symbolType, init.declarator, node.specifiers.storage, attributes, defines, init.initializer !== undefined)
        : this.declare(name, kind, symbolType, init.declarator, node.specifiers.storage, attributes, init.initializer !== undefined);
      if (init.initializer) {
        symbol.initializer = init.initializer;
        // an __auto_type initializer was typed above, and has the variable's type
        if (!autoType) this.initializer(symbol.type, init.initializer, true, name);
        // `char s[] = "abc"` and `int a[] = {1, 2}` complete the array type from the initializer.
        const resolved = resolve(symbol.type);
        if (resolved.kind === 'array' && resolved.length === undefined) {
          const length = init.initializer.kind === 'InitializerList' ? this.initializerListLength(init.initializer)
            : init.initializer.kind === 'StringLiteral' ? init.initializer.value.length + 1 : undefined;
          if (length !== undefined) { symbol.type = { ...resolved, length }; this.declaratorTypes.set(init.declarator, symbol.type); }
        }
      }
    }
  }

  protected initializerListLength(list: ast.InitializerList): number {
    let index = 0;
    let max = 0;
    for (const item of list.items) {
      const first = item.designators[0];
      if (first?.kind === 'IndexDesignator') {
        const value = this.evaluate(first.last ?? first.index);
        if (value !== undefined) index = Number(value);
      }
      index++;
      max = Math.max(max, index);
    }
    return max;
  }

  /** A redefinition error with clang's note at the earlier definition (as related information). */
  protected reportRedefinition(message: DiagnosticMessage, at: ast.Node, args: ReadonlyArray<string>, previous: ast.Node | undefined, note = 'previous definition is here'): void {
    this.report(message, at, args, previous ? { at: previous, message: note } : undefined);
  }

  /**
   * A file-scope declaration of a name the preamble's headers (vmlinux.h, libbpf's, a project's) declare: C has
   * one file scope, so the rules of redeclaration apply across it. The preamble's symbol is shared by every
   * compilation and never changed: a compatible declaration refers to it, a definition shadows it.
   * mirrors clang's Sema::MergeTypedefNameDecl / MergeVarDecl / MergeFunctionDecl.
   */
  protected declareOverPrelude(previous: CSymbol, name: ast.Identifier, kind: SymbolKind, type: CType, storage: CSymbol['storage'], defines: boolean, hasInitializer: boolean): 'refer' | 'shadow' | 'error' {
    const at = name;
    const where = previous.declaration.kind === 'Declarator' && previous.declaration.name ? previous.declaration.name : previous.declaration;
    if (kind === 'enumerator' || previous.kind === 'enumerator' || kind !== previous.kind) {
      this.reportRedefinition(previous.kind === 'enumerator' && kind === 'enumerator' ? Diagnostics.RedefinitionOfEnumerator : Diagnostics.RedefinitionDifferentKind, at, [name.name], where);
      return 'error';
    }
    if (kind === 'typedef') {
      if (compatible(previous.type, type)) return 'refer';
      const target = previous.type.kind === 'typedef' ? previous.type.target : previous.type;
      const newTarget = type.kind === 'typedef' ? type.target : type;
      this.reportRedefinition(Diagnostics.TypedefRedefinitionDifferentTypes, at, [quotedType(newTarget), quotedType(target)], where);
      return 'error';
    }
    if (!compatible(previous.type, type)) {
      if (kind === 'function') this.reportRedefinition(Diagnostics.ConflictingTypes, at, [name.name], where, 'previous declaration is here');
      else this.reportRedefinition(Diagnostics.RedefinitionDifferentType, at, [name.name, quotedType(type), quotedType(previous.type)], where);
      return 'error';
    }
    const isDefinition = kind === 'function' ? defines : hasInitializer;
    const previousIsDefinition = kind === 'function' ? previous.defined : previous.initializer !== undefined;
    if (isDefinition && previousIsDefinition) {
      this.reportRedefinition(Diagnostics.Redefinition, at, [name.name], where);
      return 'error';
    }
    // A definition (or a tentative one, `int x;`) of what the header only declares is the file's symbol.
    return defines && !storage.includes('extern') ? 'shadow' : 'refer';
  }

  protected declare(name: ast.Identifier, kind: SymbolKind, type: CType, declaration: ast.Node, storage: CSymbol['storage'], attributes: ast.Attribute[], defines: boolean, hasInitializer = defines): CSymbol {
    const existing = this.scope.symbols.get(name.name);
    const fileScope = this.scope === this.fileScope;
    const inPrelude = !existing && fileScope ? this.preludeSymbol(name.name) : undefined;
    if (inPrelude) {
      const outcome = this.declareOverPrelude(inPrelude, name, kind, type, storage, defines, hasInitializer);
      if (outcome === 'refer') { this.refer(name, { symbol: inPrelude }); return inPrelude; }
      if (outcome === 'error') {
        // Declared anew in the file so that uses resolve to something; the error is already reported.
      }
    }
    if (existing) {
      const redeclarable = (fileScope || storage.includes('extern') || existing.storage.includes('extern')) && existing.kind === kind && kind !== 'enumerator';
      const previous = existing.declaration.kind === 'Declarator' && existing.declaration.name ? existing.declaration.name : existing.declaration;
      if (kind === 'typedef' && existing.kind === 'typedef' && !compatible(existing.type, type)) {
        // In any scope, as over the preamble (declareOverPrelude): mirrors clang's Sema::MergeTypedefNameDecl.
        const target = existing.type.kind === 'typedef' ? existing.type.target : existing.type;
        const newTarget = type.kind === 'typedef' ? type.target : type;
        this.reportRedefinition(Diagnostics.TypedefRedefinitionDifferentTypes, name, [quotedType(newTarget), quotedType(target)], previous);
        // The invalid redeclaration is not what later uses find: clang compares the next one with the first.
        this.refer(name, { symbol: existing });
        return existing;
      } else if (!redeclarable && !(kind === 'typedef' && existing.kind === 'typedef')) {
        const message = existing.kind !== kind ? Diagnostics.RedefinitionDifferentKind : kind === 'enumerator' ? Diagnostics.RedefinitionOfEnumerator : Diagnostics.Redefinition;
        this.reportRedefinition(message, name, [name.name], previous);
      } else if (kind !== 'typedef' && !compatible(existing.type, type)) {
        if (kind === 'variable') this.reportRedefinition(Diagnostics.RedefinitionDifferentType, name, [name.name, quotedType(type), quotedType(existing.type)], previous);
        else this.reportRedefinition(Diagnostics.ConflictingTypes, name, [name.name], previous, 'previous declaration is here');
        // As for a typedef: the invalid redeclaration is not what later ones are compared with (clang 14: `int g(int);
        // int g(long); int g(int a) {...}` is one error, `long y` between two `int y` one).
        if (fileScope) { this.refer(name, { symbol: existing }); return existing; }
      } else if (defines && existing.defined && kind === 'function') {
        // A definition after one clang already refused as a redefinition is not reported again (clang 14: three
        // `int f(void) {...}` are one error, sslsniff's three BPF_UPROBE definitions one)
        if (!existing.invalid) this.reportRedefinition(Diagnostics.Redefinition, name, [name.name], previous);
        const symbol: CSymbol = { name: name.name, kind, type, declaration, storage, attributes: [...attributes], defined: defines, fileScope, invalid: true };
        this.scope.symbols.set(name.name, symbol);
        this.refer(name, { symbol });
        return symbol;
      } else if (defines && existing.defined && existing.initializer && kind === 'variable') {
        this.reportRedefinition(Diagnostics.Redefinition, name, [name.name], previous);
      } else {
        // Completing `int a[]` by a later `int a[4]`, or a prototype by its definition.
        if (isComplete(type) || resolve(type).kind === 'function') existing.type = type;
        if (defines) { existing.defined = true; existing.declaration = declaration; }
        // A typedef's previous declaration is its latest one (clang's notes and types name it): the same type, respelled.
        if (kind === 'typedef') { existing.type = type; existing.declaration = declaration; }
        appendAll(existing.attributes, attributes);
        this.refer(name, { symbol: existing });
        return existing;
      }
    }
    const symbol: CSymbol = { name: name.name, kind, type, declaration, storage, attributes: [...attributes], defined: defines, fileScope };
    this.scope.symbols.set(name.name, symbol);
    this.refer(name, { symbol });
    return symbol;
  }

  protected functionDefinition(node: ast.FunctionDefinition): void {
    const base = this.specifiersType(node.specifiers);
    const type = this.declaratorType(base, node.declarator);
    const resolved = resolve(type);
    if (!node.declarator.name) return;
    const symbol = this.declare(node.declarator.name, 'function', type, node.declarator, node.specifiers.storage, [...node.specifiers.attributes, ...node.declarator.attributes], true);
    this.functions.push({ definition: node, symbol });
    const functionDerivation = node.declarator.derivations[node.declarator.derivations.length - 1];
    const returns = resolved.kind === 'function' ? resolved.returns : Types.error;
    const context: FunctionContext = { name: node.declarator.name.name, returns, labels: new Set(), gotos: [] };
    const savedContext = this.functionContext;
    this.functionContext = context;
    this.withScope(() => {
      if (functionDerivation?.kind === 'Function' && resolved.kind === 'function') {
        functionDerivation.parameters.forEach((parameter, index) => {
          if (parameter.declarator.name) {
            this.declare(parameter.declarator.name, 'parameter', resolved.params[index] ?? Types.int, parameter.declarator, [], [], true);
          }
        });
      }
      this.collectLabels(node.body, context.labels);
      this.blockItems(node.body);
    });
    for (const target of context.gotos) if (!context.labels.has(target.name)) this.report(Diagnostics.UndeclaredLabel, target, [target.name]);
    this.functionContext = savedContext;
  }

  protected collectLabels(root: ast.Node, labels: Set<string>): void {
    const stack: ast.Node[] = [root];
    const first = new Map<string, ast.LabeledStatement>();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.kind === 'Labeled') {
        labels.add(node.label.name);
        const previous = first.get(node.label.name);
        // clang defines a label once its statement is parsed (Sema::ActOnLabelStmt), so the redefinition is the label
        // whose statement ends later, and of `a: a: ...` (one end) the outer one. The stack visits in any order.
        if (previous) {
          const comesFirst = (x: ast.LabeledStatement, y: ast.LabeledStatement) => x.end < y.end || (x.end === y.end && x.pos > y.pos);
          const [earlier, later] = comesFirst(previous, node) ? [previous, node] : [node, previous];
          this.reportRedefinition(Diagnostics.LabelRedefinition, later.label, [node.label.name], earlier.label);
          first.set(node.label.name, earlier);
        } else first.set(node.label.name, node);
      }
      // every node: a statement expression's labels count wherever it stands (`while (can_loop)`, an initializer, a return)
      ast.forEachChild(node, (child) => stack.push(child));
    }
  }

  // ---------------------------------------------------------------- initializers
  /** `declared`: the declared name, where clang puts the caret of an incompatible initializer of a scalar. */
  protected initializer(target: CType, init: ast.Initializer, isDeclaration: boolean, declared?: ast.Identifier): void {
    if (init.kind !== 'InitializerList') {
      const valueType = this.expression(init);
      const resolved = resolve(target);
      if (resolved.kind === 'array' && init.kind === 'StringLiteral') return;
      if (isDeclaration && !this.assignable(target, valueType)) this.report(Diagnostics.IncompatibleInitializer, declared ?? init, [quotedType(target), quotedType(valueType)]);
      return;
    }
    this.types.set(init, target);
    const resolved = resolve(target);
    let index = 0;
    for (const item of init.items) {
      let current: CType = Types.error;
      let designatorTarget: CType = resolved;
      if (item.designators.length > 0) {
        for (const designator of item.designators) {
          const containing = resolve(designatorTarget);
          if (designator.kind === 'FieldDesignator') {
            if (containing.kind === 'record') {
              const path = findMember(containing.record, designator.name.name);
              if (!path) { this.report(Diagnostics.NoMember, designator.name, [designator.name.name, typeToString(containing)]); designatorTarget = Types.error; }
              else {
                const field = path[path.length - 1];
                this.refer(designator.name, { field, record: containing.record });
                designatorTarget = field.type;
                if (designator === item.designators[0]) index = containing.record.fields.indexOf(path[0]) + 1;
              }
            } else designatorTarget = Types.error;
          } else {
            this.expression(designator.index);
            if (designator.last) this.expression(designator.last);
            const value = this.evaluate(designator.last ?? designator.index);
            if (designator === item.designators[0] && value !== undefined) index = Number(value) + 1;
            designatorTarget = containing.kind === 'array' ? containing.of : Types.error;
          }
        }
        current = designatorTarget;
      } else {
        if (resolved.kind === 'array') current = resolved.of;
        else if (resolved.kind === 'record') {
          const field = resolved.record.fields.filter((f) => f.name !== undefined || f.bitWidth === undefined)[index];
          current = field ? field.type : Types.error;
        } else current = index === 0 ? resolved : Types.error;
        index++;
      }
      // Brace elision makes positional checks of scalars against aggregates unreliable: only check exact targets.
      if (item.value.kind === 'InitializerList') this.initializer(current, item.value, false);
      else {
        const valueType = this.expression(item.value);
        if (item.designators.length > 0 && isScalar(current) && resolve(valueType).kind === 'record') {
          this.report(Diagnostics.IncompatibleInitializer, item.value, [quotedType(current), quotedType(valueType)]);
        }
      }
    }
  }
}

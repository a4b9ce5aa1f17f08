/** Types from syntax: declaration specifiers, struct/union/enum specifiers (layout, attributes), declarators and type names. */

import { appendAll } from '../arrays';
import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { CType, EnumInfo, FunctionType, IntegerType, RecordInfo, Types, builtinType, enumUnderlyingType, isError, fits, layoutRecord, resolve, sizeOf, unqualified, withQualifiers, wrapInteger, FieldDeclarationForLayout } from '../types';
import type { CSymbol } from './model';
import { ScopeState } from './scopes';

export abstract class TypeSyntaxAnalyzer extends ScopeState {
  // ---------------------------------------------------------------- types from syntax
  specifiersType(specifiers: ast.DeclarationSpecifiers): CType {
    const type = this.typeSpecifier(specifiers.type);
    const qualifiers = { const: specifiers.qualifiers.includes('const'), volatile: specifiers.qualifiers.includes('volatile') };
    return withQualifiers(type, qualifiers);
  }

  protected typeSpecifier(spec: ast.TypeSpecifier | undefined): CType {
    if (!spec) return Types.int;
    switch (spec.kind) {
      case 'BuiltinType': {
        const type = builtinType(spec.words);
        if (!type) { this.report(Diagnostics.InvalidTypeCombination, spec, [spec.words.join(' ')]); return Types.error; }
        return type;
      }
      case 'TypedefName': {
        const symbol = this.lookup(spec.name.name);
        if (!symbol || symbol.kind !== 'typedef') return Types.error;
        this.refer(spec.name, { symbol });
        return symbol.type;
      }
      case 'RecordSpecifier': return this.recordSpecifier(spec);
      case 'EnumSpecifier': return this.enumSpecifier(spec);
      case 'Typeof': {
        if (spec.operand.kind === 'TypeName') return this.typeName(spec.operand);
        if (spec.operand.kind === 'MissingExpression') return Types.long;
        return this.expression(spec.operand);
      }
    }
  }

  typeName(node: ast.TypeName): CType {
    const type = this.declaratorType(this.specifiersType(node.specifiers), node.declarator);
    this.types.set(node, type);
    return type;
  }

  protected recordSpecifier(spec: ast.RecordSpecifier): CType {
    const name = spec.name?.name;
    let info: RecordInfo | undefined;
    if (spec.members === undefined) {
      const existing = name ? this.lookupTag(name) : undefined;
      if (existing?.kind === 'record' && existing.info.tag === spec.tag) info = existing.info;
      else {
        info = { tag: spec.tag, name, complete: false, fields: [], size: 0, align: 1, packed: false, declaration: spec };
        if (name) this.scope.tags.set(name, { kind: 'record', info });
      }
      if (spec.name) this.refer(spec.name, { record: info, tag: { kind: 'record', info } });
      return { kind: 'record', record: info };
    }
    const current = name ? this.scope.tags.get(name) : undefined;
    const inPrelude = name && !current && this.scope === this.fileScope ? this.preludeTag(name) : undefined;
    if (current?.kind === 'record' && current.info.tag === spec.tag && !current.info.complete) info = current.info;
    else if (current && name) {
      this.report(Diagnostics.Redefinition, spec.name!, [name]);
    } else if (inPrelude && (inPrelude.kind !== 'record' || inPrelude.info.complete)) {
      // `struct bpf_iter_meta { ... }` again after vmlinux.h: one file scope, one definition.
      const previous = inPrelude.info.declaration as ast.RecordSpecifier | ast.EnumSpecifier | undefined;
      this.reportRedefinition(Diagnostics.Redefinition, spec.name!, [name!], previous?.name ?? previous);
    }
    info ??= { tag: spec.tag, name, complete: false, fields: [], size: 0, align: 1, packed: false, declaration: spec };
    info.declaration = spec;
    if (name) this.scope.tags.set(name, { kind: 'record', info });
    if (spec.name) this.refer(spec.name, { record: info, tag: { kind: 'record', info } });
    const fields: FieldDeclarationForLayout[] = [];
    const names = new Set<string>();
    for (const member of spec.members) {
      const base = this.specifiersType(member.specifiers);
      const memberPacked = hasAttribute(member.specifiers.attributes, 'packed');
      if (member.declarators.length === 0) {
        // Only an untagged struct/union defined in place is an anonymous member (C11); `struct s;` or a tagged
        // definition declares nothing, as clang says without -fms-extensions (and a record could contain itself).
        const spec = member.specifiers.type;
        if (spec?.kind !== 'RecordSpecifier' || spec.name || !spec.members) continue;
        fields.push({ type: base, declaration: member, packed: memberPacked, alignAttribute: this.alignAttribute(member.specifiers.attributes) });
        const inner = resolve(base);
        if (inner.kind === 'record') for (const n of memberNames(inner.record)) this.checkDuplicate(names, n, member);
        continue;
      }
      for (const { declarator, bitWidth, attributes } of member.declarators) {
        // A member without a name that is not a bit-field only comes from a syntax error the parser reported
        // (`struct s );`); kept, it would be an anonymous member, and a record could contain itself.
        if (!declarator.name && !bitWidth) continue;
        const type = this.declaratorType(base, declarator);
        let width: number | undefined;
        if (bitWidth) {
          const widthType = this.expression(bitWidth);
          const value = this.evaluate(bitWidth);
          // an operand in error (an undeclared name) is reported already; clang says nothing more of the expression
          if (value === undefined && !isError(widthType)) this.report(Diagnostics.NotIntegerConstant, bitWidth);
          width = value === undefined ? 0 : Number(value);
          const typeBits = (sizeOf(type) ?? 0) * 8;
          // mirrors clang's Sema::VerifyBitField(): at the member's name (an anonymous one's at its type)
          const name = declarator.name?.name;
          const at = declarator.name ?? member;
          if (value !== undefined && width < 0) {
            if (name) this.report(Diagnostics.BitFieldNegativeWidth, at, [name, width]);
            else this.report(Diagnostics.AnonymousBitFieldNegativeWidth, at, [width]);
            width = typeBits;
          } else if (value !== undefined && width === 0 && name) {
            this.report(Diagnostics.NamedBitFieldZeroWidth, at, [name]);
          } else if (width > typeBits) {
            if (name) this.report(Diagnostics.InvalidBitFieldWidth, at, [name, width, typeBits]);
            else this.report(Diagnostics.AnonymousBitFieldTooWide, at, [width, typeBits]);
            width = typeBits;
          }
        }
        if (declarator.name) {
          this.checkDuplicate(names, declarator.name.name, declarator.name);
          this.declaratorTypes.set(declarator, type);
        }
        fields.push({
          name: declarator.name?.name, type, bitWidth: width, declaration: declarator,
          packed: memberPacked || hasAttribute(attributes, 'packed') || hasAttribute(declarator.attributes, 'packed'),
          alignAttribute: this.alignAttribute([...member.specifiers.attributes, ...declarator.attributes]),
        });
      }
    }
    const packed = hasAttribute(spec.attributes, 'packed');
    const maxFieldAlign = this.packAt?.(spec.file, spec.pos);
    const layout = layoutRecord(spec.tag, fields, { packed, alignAttribute: this.alignAttribute(spec.attributes), ...(maxFieldAlign ? { maxFieldAlign } : {}) });
    Object.assign(info, { fields: layout.fields, size: layout.size, align: layout.align, packed, complete: true });
    if (hasAttribute(spec.attributes, 'preserve_access_index')) info.preserveAccessIndex = true;
    // Field names resolve to their FieldInfo for hover / go-to-definition.
    layout.fields.forEach((field) => {
      const declarator = field.declaration as ast.Declarator | undefined;
      if (declarator?.kind === 'Declarator' && declarator.name) this.refer(declarator.name, { field, record: info });
    });
    return { kind: 'record', record: info };
  }

  protected checkDuplicate(names: Set<string>, name: string, at: { file: number; pos: number; end: number }): void {
    if (names.has(name)) this.report(Diagnostics.DuplicateMember, at, [name]);
    names.add(name);
  }

  protected alignAttribute(attributes: ast.Attribute[]): number | undefined {
    let result: number | undefined;
    for (const attribute of attributes) {
      if (attribute.name !== 'aligned') continue;
      // `aligned` without argument is the target's largest useful alignment: 16 for clang -target bpf.
      const value = attribute.args[0] ? this.evaluate(attribute.args[0]) : 16n;
      if (value !== undefined) result = Math.max(result ?? 1, Number(value));
    }
    return result;
  }

  protected enumSpecifier(spec: ast.EnumSpecifier): CType {
    const name = spec.name?.name;
    const fixed = spec.underlying ? this.fixedUnderlyingType(spec.underlying) : undefined;
    if (spec.enumerators === undefined) {
      const existing = name ? this.lookupTag(name) : undefined;
      if (existing?.kind === 'enum') { if (spec.name) this.refer(spec.name, { tag: existing }); return { kind: 'enum', info: existing.info }; }
      // `enum E : u8;` declares a complete type: its size is the underlying type's.
      const info: EnumInfo = { name, complete: fixed !== undefined, underlying: fixed ?? Types.unsignedInt, values: new Map(), declaration: spec };
      if (name) this.scope.tags.set(name, { kind: 'enum', info });
      return { kind: 'enum', info };
    }
    const current = name ? this.scope.tags.get(name) : undefined;
    let info: EnumInfo;
    const inPrelude = name && !current && this.scope === this.fileScope ? this.preludeTag(name) : undefined;
    if (current?.kind === 'enum' && !current.info.complete) info = current.info;
    else {
      if (current && spec.name) this.report(Diagnostics.Redefinition, spec.name, [name!]);
      else if (inPrelude && spec.name && (inPrelude.kind !== 'enum' || inPrelude.info.complete)) {
        const previous = inPrelude.info.declaration as ast.RecordSpecifier | ast.EnumSpecifier | undefined;
        this.reportRedefinition(Diagnostics.Redefinition, spec.name, [name!], previous?.name ?? previous);
      }
      info = { name, complete: false, underlying: Types.unsignedInt, values: new Map(), declaration: spec };
    }
    info.declaration = spec;
    if (name) this.scope.tags.set(name, { kind: 'enum', info });
    if (spec.name) this.refer(spec.name, { tag: { kind: 'enum', info } });
    let next = 0n;
    let previousType: IntegerType = Types.int;
    const symbols: CSymbol[] = [];
    for (const enumerator of spec.enumerators) {
      let initializerType: CType | undefined;
      if (enumerator.value) {
        initializerType = resolve(this.expression(enumerator.value));
        const value = this.evaluate(enumerator.value);
        if (value === undefined) { if (!(initializerType && isError(initializerType))) this.report(Diagnostics.NotIntegerConstant, enumerator.value); }
        else next = value;
      }
      info.values.set(enumerator.name.name, next);
      // mirrors clang Sema::CheckEnumConstant() for C: while the list is open an enumerator has type int when its value
      // fits one; else the type of its initializer (`0xc0000000`: unsigned int, so `~X` is 0x3fffffff), or without one
      // the previous enumerator's type, the next larger one when the value outgrew it. A fixed underlying type wins.
      let type: IntegerType;
      if (fixed) type = fixed;
      else if (fits(next, Types.int)) type = Types.int;
      else if (initializerType?.kind === 'int') type = unqualified(initializerType);
      else if (initializerType?.kind === 'enum') type = unqualified(initializerType.info.underlying);
      else if (!initializerType && fits(next, previousType)) type = previousType;
      else type = next < 0n || (initializerType === undefined ? previousType.signed : true) ? Types.long : Types.unsignedLong;
      symbols.push(this.declare(enumerator.name, 'enumerator', type, enumerator, [], [], true));
      symbols[symbols.length - 1].value = next;
      previousType = type;
      next++;
    }
    info.underlying = fixed ?? enumUnderlyingType(info.values.values(), hasAttribute(spec.attributes, 'packed'));
    info.complete = true;
    // mirrors clang Sema::ActOnEnumBody(): once the list is closed, an enumerator whose value fits int has type int, any
    // other the enum's underlying type, its value converted to it
    if (!fixed) {
      for (const symbol of symbols) {
        if (symbol.value === undefined || fits(symbol.value, Types.int)) continue;
        symbol.type = info.underlying;
        symbol.value = wrapInteger(symbol.value, info.underlying);
        info.values.set(symbol.name, symbol.value);
      }
    }
    return { kind: 'enum', info };
  }

  /** The integer type of `enum E : T`; undefined (the enum's own rules apply) when T is not an integer type. */
  private fixedUnderlyingType(node: ast.TypeName): IntegerType | undefined {
    const t = resolve(this.typeName(node));
    if (t.kind === 'int') return unqualified(t);
    if (t.kind === 'enum' && t.info.complete) return unqualified(t.info.underlying);
    return undefined;
  }

  /** Applies a declarator's derivations (innermost first) to its base type. */
  declaratorType(base: CType, declarator: ast.Declarator): CType {
    let type = base;
    for (const derivation of declarator.derivations) {
      switch (derivation.kind) {
        case 'Pointer':
          type = withQualifiers({ kind: 'pointer', to: type }, { const: derivation.qualifiers.includes('const'), volatile: derivation.qualifiers.includes('volatile'), restrict: derivation.qualifiers.includes('restrict') });
          break;
        case 'Array': {
          let length: number | undefined;
          let vla = false;
          if (derivation.size) {
            // a size that is itself in error (an undeclared name) makes the declaration invalid, as for clang,
            // which then says nothing more about it (no "incomplete type" at each sizeof of the member)
            if (resolve(this.expression(derivation.size)).kind === 'error') return Types.error;
            const value = this.evaluate(derivation.size);
            if (value === undefined) {
              // A variable-length array: clang accepts it in functions; the size is unknown statically.
              length = undefined;
              vla = true;
            } else if (value < 0n) {
              this.report(Diagnostics.NegativeArraySize, derivation.size, [declarator.name?.name ?? 'array']);
              length = 0;
            } else length = Number(value);
          }
          type = vla ? { kind: 'array', of: type, length, vla: true } : { kind: 'array', of: type, length };
          break;
        }
        case 'Function': {
          const params: CType[] = [];
          const paramNames: Array<string | undefined> = [];
          this.withScope(() => {
            for (const parameter of derivation.parameters) {
              let parameterType = this.declaratorType(this.specifiersType(parameter.specifiers), parameter.declarator);
              // Parameters of array and function type are adjusted to pointers (C11 6.7.6.3).
              const resolved = resolve(parameterType);
              if (resolved.kind === 'array') parameterType = { kind: 'pointer', to: resolved.of };
              else if (resolved.kind === 'function') parameterType = { kind: 'pointer', to: parameterType };
              this.declaratorTypes.set(parameter.declarator, parameterType);
              params.push(parameterType);
              paramNames.push(parameter.declarator.name?.name);
            }
          });
          const fn: FunctionType = { kind: 'function', returns: type, params, paramNames, variadic: derivation.variadic, prototyped: !derivation.oldStyle };
          type = fn;
          break;
        }
      }
    }
    this.declaratorTypes.set(declarator, type);
    return type;
  }
}

function hasAttribute(attributes: readonly ast.Attribute[], name: string): boolean {
  return attributes.some((attribute) => attribute.name === name);
}

function memberNames(record: RecordInfo): string[] {
  const names: string[] = [];
  for (const field of record.fields) {
    if (field.name) names.push(field.name);
    else if (field.bitWidth === undefined) {
      const inner = resolve(field.type);
      if (inner.kind === 'record') appendAll(names, memberNames(inner.record));
    }
  }
  return names;
}

/** Dispatch of a `#` line to its directive; `#define`/`#undef` (parsing a macro definition), `#line` and `#pragma`. */

import { Diagnostics } from '../diagnostics';
import { Token, TokenKind, tokenWith } from '../token';
import { isPunctuator, destringize, type MacroDefinition, type FileFrame } from './records';
import { IncludeResolver } from './includes';

function sameDefinition(a: MacroDefinition, b: MacroDefinition): boolean {
  if (a.variadic !== b.variadic || (a.params === undefined) !== (b.params === undefined)) return false;
  if (a.params && b.params && a.params.join(',') !== b.params.join(',')) return false;
  if (a.body.length !== b.body.length) return false;
  for (let i = 0; i < a.body.length; i++) {
    if (a.body[i].text !== b.body[i].text) return false;
    if (i > 0 && a.body[i].leadingSpace !== b.body[i].leadingSpace) return false;
  }
  return true;
}

export abstract class DirectiveHandler extends IncludeResolver {
  handleDirective(frame: FileFrame, hash: Token): void {
    const nameToken = frame.tokens[frame.index];
    if (nameToken.kind === TokenKind.Newline || nameToken.kind === TokenKind.EndOfFile) return; // null directive
    frame.index++;
    const name = nameToken.text;
    const isConditional = name === 'if' || name === 'ifdef' || name === 'ifndef' || name === 'elif' || name === 'else' || name === 'endif';
    if (this.collectingArguments > 0 && !isConditional) this.report(Diagnostics.DirectiveInMacroArguments, nameToken);
    const firstDirective = !frame.sawContent;
    frame.sawContent = true;
    if (frame.guardClosedAt !== undefined) frame.guardBroken = true;
    switch (name) {
      case 'define': this.handleDefine(frame, nameToken); return;
      case 'undef': this.handleUndef(frame, nameToken); return;
      case 'include': case 'include_next': case 'import':
        this.handleInclude(frame, hash, nameToken, name === 'include_next', name === 'import');
        return;
      case 'if': case 'ifdef': case 'ifndef':
        this.handleIf(frame, hash, nameToken, firstDirective);
        return;
      case 'elif': case 'else': this.handleElse(frame, nameToken); return;
      case 'endif': this.handleEndif(frame, nameToken); return;
      case 'line': this.handleLine(frame, this.lineTokens(frame), nameToken); return;
      case 'error': case 'warning': {
        const line = this.lineTokens(frame);
        const text = line.length === 0 ? '' : frame.file.text.slice(line[0].pos, line[line.length - 1].end);
        // The message is raw text (`#error don't` is fine), so literal diagnostics of the scanner do not apply.
        if (line.length > 0) this.rawTextRanges.push({ file: frame.file.id, pos: line[0].pos, end: line[line.length - 1].end });
        this.report(name === 'error' ? Diagnostics.ErrorDirective : Diagnostics.WarningDirective,
          { file: frame.file.id, pos: hash.pos, end: line.length ? line[line.length - 1].end : nameToken.end }, text);
        return;
      }
      case 'pragma': this.handlePragma(frame, this.lineTokens(frame), hash); return;
      case 'ident': case 'sccs': case 'assert': case 'unassert': this.skipRestOfLine(frame); return;
      default:
        if (nameToken.kind === TokenKind.Number) {
          // GNU line marker `# 33 "file.h" 1`, as in -E output.
          this.handleLine(frame, [nameToken, ...this.lineTokens(frame)], nameToken);
          return;
        }
        this.report(Diagnostics.InvalidDirective, nameToken);
        this.skipRestOfLine(frame);
    }
  }

  checkEndOfDirective(frame: FileFrame, directive: string): void {
    const extra = frame.tokens[frame.index];
    if (extra.kind !== TokenKind.Newline && extra.kind !== TokenKind.EndOfFile) {
      const rest = this.lineTokens(frame);
      this.report(Diagnostics.ExtraTokensAtEndOfDirective, { file: extra.file, pos: extra.pos, end: rest[rest.length - 1].end }, directive);
    }
  }

  handleDefine(frame: FileFrame, directive: Token): void {
    const line = this.lineTokens(frame);
    const macro = this.parseDefinition(line, directive);
    if (!macro) return;
    const existing = this.macros.get(macro.name);
    if (existing && !sameDefinition(existing, macro)) {
      this.report(Diagnostics.MacroRedefined, line[0], macro.name);
    }
    this.defineMacro(macro);
  }

  parseDefinition(line: Token[], directive: Token): MacroDefinition | undefined {
    const nameToken = line[0];
    if (!nameToken) {
      this.report(Diagnostics.MacroNameMissing, directive);
      return undefined;
    }
    if (nameToken.kind !== TokenKind.Identifier) {
      this.report(Diagnostics.MacroNameMustBeIdentifier, nameToken);
      return undefined;
    }
    if (nameToken.text === 'defined') {
      this.report(Diagnostics.DefinedCannotBeMacroName, nameToken);
      return undefined;
    }
    let index = 1;
    let params: string[] | undefined;
    let variadic = false;
    if (isPunctuator(line[1], '(') && !line[1].leadingSpace) {
      params = [];
      index = 2;
      const invalid = (message: string, at: Token | undefined): undefined => {
        this.report(Diagnostics.InvalidMacroParameterList, at ?? line[line.length - 1], message);
        return undefined;
      };
      if (isPunctuator(line[index], ')')) index++;
      else {
        for (;;) {
          const token = line[index];
          if (!token) return invalid("missing ')' in macro parameter list", undefined);
          if (isPunctuator(token, '...')) {
            params.push('__VA_ARGS__');
            variadic = true;
            index++;
          } else if (token.kind === TokenKind.Identifier) {
            if (params.includes(token.text)) return invalid(`duplicate macro parameter name '${token.text}'`, token);
            if (token.text === '__VA_ARGS__') return invalid('__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', token);
            params.push(token.text);
            index++;
            if (isPunctuator(line[index], '...')) {
              variadic = true; // GNU named variadic parameter `args...`
              index++;
            }
          } else {
            return invalid('invalid token in macro parameter list', token);
          }
          const separator = line[index];
          if (isPunctuator(separator, ')')) {
            index++;
            break;
          }
          if (variadic) return invalid("missing ')' in macro parameter list", separator);
          if (!isPunctuator(separator, ',')) return invalid('expected comma in macro parameter list', separator);
          index++;
        }
      }
    }
    const body = line.slice(index);
    if (body.length > 0 && body[0].leadingSpace) body[0] = tokenWith(body[0], { leadingSpace: false });
    const bodyParams = new Int32Array(body.length).fill(-1);
    for (let i = 0; i < body.length; i++) {
      const token = body[i];
      if (token.kind !== TokenKind.Identifier) continue;
      if (params) {
        const paramIndex = params.indexOf(token.text);
        if (paramIndex >= 0) bodyParams[i] = paramIndex;
      }
      if (token.text === '__VA_ARGS__' && !(variadic && params?.[params.length - 1] === '__VA_ARGS__')) {
        this.report(Diagnostics.VaArgsOutsideVariadicMacro, token);
      }
    }
    if (body.length > 0 && (isPunctuator(body[0], '##') || isPunctuator(body[body.length - 1], '##'))) {
      this.report(Diagnostics.PasteAtEdgeOfMacro, isPunctuator(body[0], '##') ? body[0] : body[body.length - 1]);
      return undefined;
    }
    if (params) {
      for (let i = 0; i < body.length; i++) {
        if (isPunctuator(body[i], '#') && !(i + 1 < body.length && bodyParams[i + 1] >= 0)
          && !(variadic && body[i + 1]?.text === '__VA_OPT__')) {
          this.report(Diagnostics.HashNotFollowedByParameter, body[i]);
          return undefined;
        }
      }
    }
    return { name: nameToken.text, params, variadic, body, bodyParams, file: nameToken.file, pos: nameToken.pos, end: nameToken.end };
  }

  handleUndef(frame: FileFrame, directive: Token): void {
    const nameToken = frame.tokens[frame.index];
    if (nameToken.kind === TokenKind.Newline || nameToken.kind === TokenKind.EndOfFile) {
      this.report(Diagnostics.MacroNameMissing, directive);
      return;
    }
    frame.index++;
    if (nameToken.kind !== TokenKind.Identifier) {
      this.report(Diagnostics.MacroNameMustBeIdentifier, nameToken);
      this.skipRestOfLine(frame);
      return;
    }
    this.undefineMacro(nameToken.text);
    this.checkEndOfDirective(frame, 'undef');
  }

  // ---- #line and #pragma ------------------------------------------------------------------------------

  handleLine(frame: FileFrame, line: Token[], directive: Token): void {
    const expanded = line.length > 0 && line[0].kind === TokenKind.Number ? line : this.expandIsolated(line, false);
    const number = expanded[0];
    if (!number || number.kind !== TokenKind.Number || !/^\d+$/.test(number.text)) {
      this.report(Diagnostics.InvalidLineDirective, number ?? directive);
      return;
    }
    const physicalNextLine = frame.file.offsetToPosition(frame.tokens[frame.index].end).line + 1;
    frame.lineDelta = Number(number.text) - physicalNextLine;
    const name = expanded[1];
    if (name && name.kind === TokenKind.StringLiteral) frame.presumedName = destringize(name.text);
  }

  handlePragma(frame: FileFrame, line: Token[], hash: Token): void {
    const end = line.length ? line[line.length - 1].end : hash.end;
    this.applyPragma(line, { file: frame.file.id, pos: hash.pos, end }, frame);
  }

  applyPragma(line: Token[], range: { file: number; pos: number; end: number }, frame: FileFrame | undefined): void {
    const text = line.map((token, i) => (i > 0 && token.leadingSpace ? ' ' : '') + token.text).join('');
    if (line.length === 1 && line[0].text === 'once') {
      if (frame) {
        if (this.fileStack.length === 1 && frame === this.fileStack[0]) this.report(Diagnostics.PragmaOnceInMainFile, line[0]);
        else this.addOnceFile(frame.file.path);
      }
      return;
    }
    if ((line[0]?.text === 'push_macro' || line[0]?.text === 'pop_macro') && isPunctuator(line[1], '(')
      && line[2]?.kind === TokenKind.StringLiteral) {
      const name = destringize(line[2].text);
      const stack = this.pushedMacros.get(name) ?? [];
      if (line[0].text === 'push_macro') {
        stack.push(this.macros.get(name));
        this.pushedMacros.set(name, stack);
      } else if (stack.length > 0) {
        const saved = stack.pop();
        if (saved) this.defineMacro(saved);
        else this.undefineMacro(name);
      }
      return;
    }
    if (this.pragmaMessage(line, range)) return;
    this.pragmas.push({ ...range, text, tokenIndex: this.output.length });
  }

  /**
   * `#pragma GCC error "..."` (an error), `#pragma GCC warning "..."` and `#pragma message "..."` / `("...")` (warnings),
   * also through `_Pragma`: libbpf's bpf_tracing.h expands PT_REGS_PARM1() to `_Pragma("GCC error ...")` when no
   * `__TARGET_ARCH_xxx` is defined, which is how clang refuses a BPF_KPROBE without one. Shown where clang shows them:
   * at the pragma's keyword, or at the macro use the `_Pragma` came from. True when the pragma was one of these.
   */
  private pragmaMessage(line: Token[], range: { file: number; pos: number; end: number }): boolean {
    const gcc = line[0]?.text === 'GCC' && (line[1]?.text === 'error' || line[1]?.text === 'warning');
    if (!gcc && line[0]?.text !== 'message') return false;
    const keyword = gcc ? line[1] : line[0];
    const rest = line.slice(gcc ? 2 : 1);
    const operand = rest.length === 3 && isPunctuator(rest[0], '(') && isPunctuator(rest[2], ')') ? rest[1] : rest.length === 1 ? rest[0] : undefined;
    if (operand?.kind !== TokenKind.StringLiteral) return false;
    // a #pragma line's tokens are in the file; a _Pragma operand's were scanned from its string (file -1)
    const at = keyword.file === range.file ? { file: range.file, pos: keyword.pos, end: line[line.length - 1].end } : range;
    this.report(gcc && keyword.text === 'error' ? Diagnostics.ErrorDirective : Diagnostics.WarningDirective, at, destringize(operand.text));
    return true;
  }
}

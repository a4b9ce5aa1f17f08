/**
 * Macro expansion with clang's model of the standard's hide sets: a macro is disabled while its expansion is being
 * read, and an identifier naming a disabled macro is painted (`noExpand`) for good. Arguments, substitution,
 * `#` and `##`, the built-in macros and `_Pragma`; expansion frames live on an explicit stack.
 */

import { Diagnostics } from '../diagnostics';
import { clangBpfFeatureTable } from './features';
import { scan, scansAsSingleToken } from '../scanner';
import { ExpansionOrigin, Token, TokenKind, makeToken, relocatedToken, tokenWith } from '../token';
import { ExpansionRecord, endOfInput, isPunctuator, rootOrigin, userRange, destringize, type MacroDefinition, type ExpansionContext } from './records';
import { PreprocessSession } from './session';

const placemarker: Token = makeToken(TokenKind.Unknown, '', -1, 0, 0, false, false);

const pasteOperator: Token = makeToken(TokenKind.Punctuator, '##', -1, 0, 0, false, false);

function stringize(tokens: readonly Token[]): string {
  let text = '"';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === placemarker) continue;
    if (i > 0 && (token.leadingSpace || token.atLineStart)) text += ' ';
    if (token.kind === TokenKind.StringLiteral || token.kind === TokenKind.CharConstant) {
      text += token.text.replace(/[\\"]/g, (c) => '\\' + c);
    } else {
      text += token.text;
    }
  }
  return text + '"';
}

export abstract class MacroExpander extends PreprocessSession {
  // ---- macro expansion --------------------------------------------------------------------------------

  readRaw(context: ExpansionContext): Token {
    const frames = context.frames;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.index < frame.tokens.length) return frame.tokens[frame.index++];
      frames.pop();
      if (frame.macro !== undefined) {
        const count = this.active.get(frame.macro)!;
        if (count <= 1) this.active.delete(frame.macro);
        else this.active.set(frame.macro, count - 1);
      }
    }
    if (context === this.mainContext && this.openExpansion) {
      const record = this.openExpansion.record;
      record.tokenEnd = this.output.length;
      this.openExpansion = undefined;
    }
    return context.bottom();
  }

  pushBack(context: ExpansionContext, token: Token): void {
    if (token.kind === TokenKind.EndOfFile) {
      if (context === this.mainContext) {
        const frame = this.fileStack[0];
        if (frame && token === frame.tokens[frame.index]) return;
      }
      if (token === endOfInput) return;
    }
    context.frames.push({ tokens: [token], index: 0 });
  }

  /** Next fully macro-expanded token of a context. */
  nextExpanded(context: ExpansionContext): Token {
    for (;;) {
      if (this.expansionAborted && context.frames.length > 0) {
        this.abandonFrames(context);
      }
      const atTop = context === this.mainContext && context.frames.length === 0;
      const token = this.readRaw(context);
      if (token.kind !== TokenKind.Identifier || token.noExpand) return token;
      if (context.inCondition) {
        if (token.text === 'defined') return this.evaluateDefined(context, token);
      }
      const macro = this.macros.get(token.text);
      if (!macro || this.expansionWorkExhausted) return token;
      if (this.active.has(macro.name)) return tokenWith(token, { noExpand: true });
      if (macro.builtin) {
        const produced = this.expandBuiltin(context, token, macro);
        if (produced) return produced;
        continue;
      }
      if (atTop) {
        this.expansionProduced = 0;
        this.expansionAborted = false;
      }
      let args: Token[][] | undefined;
      let closing: Token | undefined;
      if (macro.params) {
        const next = this.readRaw(context);
        if (!isPunctuator(next, '(')) {
          this.pushBack(context, next);
          return token;
        }
        const collected = this.collectArguments(context, macro, token);
        if (!collected) continue;
        args = collected.args;
        closing = collected.closing;
      }
      const end = closing && closing.file === token.file && closing.origin === token.origin && closing.end >= token.end ? closing.end : token.end;
      const origin: ExpansionOrigin = { macro: macro.name, file: token.file, pos: token.pos, end, parent: token.origin };
      if (atTop && this.fileStack.length === 1 && token.file === this.mainFileId && !token.origin) {
        const record = new ExpansionRecord(token.file, token.pos, end, macro.name, this.output.length);
        this.expansions.push(record);
        this.openExpansion = { record };
      }
      const expansion = this.substitute(macro, args, token, origin, context);
      if (this.expansionAborted) {
        this.abandonFrames(context);
        continue;
      }
      context.frames.push({ tokens: expansion, index: 0, macro: macro.name });
      this.active.set(macro.name, (this.active.get(macro.name) ?? 0) + 1);
    }
  }

  /** Stops all macro expansion for the rest of the run; the driver then ends the output (see `limits.expansionWork`). */
  exhaustExpansionWork(at: Token): void {
    if (!this.expansionWorkExhausted) this.report(Diagnostics.ExpansionWorkExceeded, at, this.limits.expansionWork, 'expansionWork');
    this.expansionWorkExhausted = true;
    this.expansionAborted = true;
  }

  abandonFrames(context: ExpansionContext): void {
    while (context.frames.length > 0) {
      const frame = context.frames.pop()!;
      if (frame.macro !== undefined) {
        const count = this.active.get(frame.macro)!;
        if (count <= 1) this.active.delete(frame.macro);
        else this.active.set(frame.macro, count - 1);
      }
    }
  }

  evaluateDefined(context: ExpansionContext, definedToken: Token): Token {
    let next = this.readRaw(context);
    let parenthesized = false;
    if (isPunctuator(next, '(')) {
      parenthesized = true;
      next = this.readRaw(context);
    }
    let value = false;
    if (next.kind !== TokenKind.Identifier) {
      this.report(Diagnostics.MacroNameMustBeIdentifier, next.kind === TokenKind.EndOfFile ? definedToken : next);
      this.pushBack(context, next);
    } else {
      value = this.macros.has(next.text);
      if (parenthesized) {
        const close = this.readRaw(context);
        if (!isPunctuator(close, ')')) {
          this.report(Diagnostics.InvalidExpressionToken, close.kind === TokenKind.EndOfFile ? next : close, "missing ')' after 'defined'");
          this.pushBack(context, close);
        }
      }
    }
    return { ...definedToken, kind: TokenKind.Number, text: value ? '1' : '0' };
  }

  collectArguments(context: ExpansionContext, macro: MacroDefinition, nameToken: Token): { args: Token[][]; closing: Token } | undefined {
    const params = macro.params!;
    const args: Token[][] = [[]];
    let depth = 0;
    let closing: Token | undefined;
    let collected = 0;
    this.collectingArguments++;
    try {
      for (;;) {
        const token = this.readRaw(context);
        // An unclosed invocation swallows the rest of the file, and #includes inside it: bound what it holds,
        // since pre-expanding the arguments copies them once per nesting level.
        if (++collected > this.limits.expansionTokens) {
          this.report(Diagnostics.MacroExpansionTooLarge, nameToken, macro.name, this.limits.expansionTokens, 'expansionTokens');
          return undefined;
        }
        if (++this.expansionWork > this.limits.expansionWork) {
          this.exhaustExpansionWork(nameToken);
          return undefined;
        }
        if (token.kind === TokenKind.EndOfFile) {
          this.report(Diagnostics.UnterminatedMacroInvocation, nameToken);
          this.pushBack(context, token);
          return undefined;
        }
        if (token.kind === TokenKind.Punctuator) {
          if (token.text === '(') depth++;
          else if (token.text === ')') {
            if (depth === 0) {
              closing = token;
              break;
            }
            depth--;
          } else if (token.text === ',' && depth === 0 && !(macro.variadic && args.length === params.length)) {
            args.push([]);
            continue;
          }
        }
        args[args.length - 1].push(token);
      }
    } finally {
      this.collectingArguments--;
    }
    if (params.length === 0) {
      if (args.length === 1 && args[0].length === 0) return { args: [], closing };
      this.report(Diagnostics.TooManyMacroArguments, { file: nameToken.file, pos: nameToken.pos, end: closing.end }, macro.name);
      return undefined;
    }
    if (args.length < params.length) {
      if (macro.variadic && args.length === params.length - 1) args.push([]);
      else {
        this.report(Diagnostics.TooFewMacroArguments, nameToken, macro.name);
        return undefined;
      }
    }
    if (args.length > params.length) {
      this.report(Diagnostics.TooManyMacroArguments, nameToken, macro.name);
      return undefined;
    }
    return { args, closing };
  }

  /** Fully expands tokens on their own (a macro argument, an #include or #line operand). */
  expandIsolated(tokens: Token[], inCondition: boolean, argumentDepth = 0): Token[] {
    const context: ExpansionContext = { frames: [{ tokens, index: 0 }], bottom: () => endOfInput, inCondition, argumentDepth };
    const result: Token[] = [];
    for (;;) {
      const token = this.nextExpanded(context);
      if (token.kind === TokenKind.EndOfFile) return result;
      result.push(token);
    }
  }

  /** The replacement list with arguments substituted, `#` and `##` applied (C11 6.10.3.1-3). */
  substitute(macro: MacroDefinition, args: Token[][] | undefined, nameToken: Token, origin: ExpansionOrigin, context: ExpansionContext): Token[] {
    const body = macro.body;
    const result: Token[] = [];
    const expandedArgs: Array<Token[] | undefined> = [];
    const variadicIndex = macro.variadic && macro.params ? macro.params.length - 1 : -1;
    const relocate = (token: Token): Token => relocatedToken(token, origin);
    const fromArgument = (token: Token): Token => (token.origin ? token : relocatedToken(token, origin));
    const expandedArgument = (index: number): Token[] => {
      let expanded = expandedArgs[index];
      if (expanded === undefined) {
        const raw = args![index];
        if (context.argumentDepth >= this.limits.argumentNesting) {
          if (!this.expansionAborted) this.report(Diagnostics.MacroArgumentsNestedTooDeeply, nameToken, this.limits.argumentNesting, 'argumentNesting');
          expanded = raw;
        } else {
          expanded = this.expandIsolated(raw, context.inCondition, context.argumentDepth + 1);
        }
        expandedArgs[index] = expanded;
      }
      return expanded;
    };

    let insideVaOpt = false;
    const substituteRange = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const token = body[i];
        const paramIndex = macro.bodyParams[i];
        if (args && token.kind === TokenKind.Punctuator && token.text === '#' && i + 1 < to) {
          const next = macro.bodyParams[i + 1];
          if (next >= 0) {
            result.push(makeToken(TokenKind.StringLiteral, stringize(args[next]), token.file, token.pos, body[i + 1].end, token.leadingSpace, false, origin));
            i++;
            continue;
          }
        }
        if (token.kind === TokenKind.Punctuator && token.text === '##') {
          // GNU `, ## __VA_ARGS__`: with an empty variadic argument the comma disappears.
          const nextParam = i + 1 < to ? macro.bodyParams[i + 1] : -1;
          const previous = result[result.length - 1];
          if (nextParam >= 0 && nextParam === variadicIndex && previous && isPunctuator(previous, ',')) {
            const raw = args![nextParam];
            if (raw.length === 0) {
              result.pop();
              result.push(placemarker);
            } else {
              for (const argToken of raw) result.push(fromArgument(argToken));
            }
            i++;
            continue;
          }
          result.push(pasteOperator);
          continue;
        }
        // __VA_OPT__ does not nest (clang rejects it), so user input cannot make this recurse more than once.
        if (args && macro.variadic && !insideVaOpt && token.kind === TokenKind.Identifier && token.text === '__VA_OPT__' && isPunctuator(body[i + 1], '(')) {
          let depth = 0;
          let close = i + 1;
          for (; close < to; close++) {
            if (isPunctuator(body[close], '(')) depth++;
            else if (isPunctuator(body[close], ')') && --depth === 0) break;
          }
          if (args[variadicIndex].length > 0) {
            insideVaOpt = true;
            substituteRange(i + 2, close);
            insideVaOpt = false;
          } else result.push(placemarker);
          i = close;
          continue;
        }
        if (paramIndex >= 0 && args) {
          const pasted = isPunctuator(body[i - 1], '##') || isPunctuator(body[i + 1], '##');
          const tokens = pasted ? args[paramIndex] : expandedArgument(paramIndex);
          if (tokens.length === 0) {
            result.push(placemarker);
            continue;
          }
          for (let k = 0; k < tokens.length; k++) {
            const copy = fromArgument(tokens[k]);
            result.push(k === 0 && copy.leadingSpace !== token.leadingSpace ? tokenWith(copy, { leadingSpace: token.leadingSpace }) : copy);
          }
          continue;
        }
        result.push(relocate(token));
      }
    };
    substituteRange(0, body.length);

    let final = result;
    if (result.includes(pasteOperator)) final = this.applyPastes(result, nameToken, origin);
    const cleaned: Token[] = [];
    for (const token of final) if (token !== placemarker) cleaned.push(token);
    if (cleaned.length > 0) {
      cleaned[0] = tokenWith(cleaned[0], { leadingSpace: nameToken.leadingSpace, atLineStart: nameToken.atLineStart });
    }
    this.expansionProduced += Math.max(1, cleaned.length);
    this.expansionWork += cleaned.length;
    if (this.expansionWork > this.limits.expansionWork) {
      this.exhaustExpansionWork(nameToken);
      return [];
    }
    if (this.expansionProduced > this.limits.expansionTokens) {
      if (!this.expansionAborted) {
        const root = rootOrigin(origin)!;
        this.report(Diagnostics.MacroExpansionTooLarge, root, root.macro, this.limits.expansionTokens, 'expansionTokens');
      }
      this.expansionAborted = true;
      return [];
    }
    return cleaned;
  }

  applyPastes(items: Token[], nameToken: Token, origin: ExpansionOrigin): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item !== pasteOperator) {
        out.push(item);
        continue;
      }
      const left = out.pop() ?? placemarker;
      let right = items[++i] ?? placemarker;
      if (right === pasteOperator) right = placemarker;
      if (left === placemarker) {
        out.push(right);
        continue;
      }
      if (right === placemarker) {
        out.push(left);
        continue;
      }
      const text = left.text + right.text;
      const single = scansAsSingleToken(text);
      if (!single) {
        this.report(Diagnostics.PasteFormedInvalidToken, nameToken, text);
        out.push(left, right);
        continue;
      }
      out.push(makeToken(single.kind, single.text, left.file, left.pos, left.end, left.leadingSpace, false, origin));
    }
    return out;
  }

  expandBuiltin(context: ExpansionContext, token: Token, macro: MacroDefinition): Token | undefined {
    const make = (kind: TokenKind, text: string): Token => tokenWith(token, { kind, text, origin: { macro: macro.name, file: token.file, pos: token.pos, end: token.end, parent: token.origin } });
    const frame = this.currentFileFrame();
    switch (macro.builtin) {
      case 'file': case 'fileName': {
        const root = rootOrigin(token.origin);
        const fileId = root ? root.file : token.file;
        const owner = this.fileStack.find((f) => f.file.id === fileId);
        const name = owner?.presumedName ?? this.fileTable.files[fileId]?.path ?? '';
        // clang's __FILE_NAME__: the last component of what __FILE__ gives (tetragon's logging uses it)
        return make(TokenKind.StringLiteral, JSON.stringify(macro.builtin === 'fileName' ? name.replace(/^.*[/\\]/, '') : name));
      }
      case 'baseFile':
        return make(TokenKind.StringLiteral, JSON.stringify(this.baseFileName));
      case 'line': {
        const root = rootOrigin(token.origin);
        const fileId = root ? root.file : token.file;
        const pos = root ? root.pos : token.pos;
        const sourceFile = this.fileTable.files[fileId];
        const owner = this.fileStack.find((f) => f.file.id === fileId);
        const line = (sourceFile ? sourceFile.offsetToPosition(pos).line + 1 : 0) + (owner?.lineDelta ?? 0);
        return make(TokenKind.Number, String(line));
      }
      case 'counter':
        this.mix('C');
        return make(TokenKind.Number, String(this.counter++));
      case 'includeLevel':
        return make(TokenKind.Number, String(Math.max(0, this.fileStack.length - 1)));
      case 'date': case 'time': case 'timestamp': {
        const now = new Date();
        const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
        const day = String(now.getDate()).padStart(2, ' ');
        const time = now.toTimeString().slice(0, 8);
        const text = macro.builtin === 'date' ? `${months[now.getMonth()]} ${day} ${now.getFullYear()}`
          : macro.builtin === 'time' ? time : now.toString().slice(0, 24);
        return make(TokenKind.StringLiteral, JSON.stringify(text));
      }
      case 'hasInclude': case 'hasIncludeNext': {
        const operand = this.readParenthesized(context, token);
        if (!operand) return make(TokenKind.Number, '0');
        let header = this.headerName(operand, frame?.file);
        if (!header) header = this.headerName(this.expandIsolated(operand, false), undefined);
        if (!header || !frame) {
          this.report(Diagnostics.ExpectedFilename, operand[0] ?? token);
          return make(TokenKind.Number, '0');
        }
        const found = this.resolveInclude(header.name, header.angled, macro.builtin === 'hasIncludeNext', frame);
        return make(TokenKind.Number, found ? '1' : '0');
      }
      case 'featureCheck': case 'isIdentifier': {
        const operand = this.readParenthesized(context, token);
        if (!operand) return make(TokenKind.Number, '0');
        const name = operand.map((t) => t.text).join('').replace(/^__(.*)__$/, macro.name === '__has_attribute' ? '$1' : '$&');
        if (macro.builtin === 'isIdentifier') return make(TokenKind.Number, operand.length === 1 && operand[0].kind === TokenKind.Identifier ? '1' : '0');
        const table = clangBpfFeatureTable[macro.name];
        return make(TokenKind.Number, table?.has(name) ? '1' : '0');
      }
      case 'pragmaOperator': {
        const operand = this.readParenthesized(context, token);
        if (!operand || operand.length !== 1 || operand[0].kind !== TokenKind.StringLiteral) {
          this.report(Diagnostics.PragmaRequiresString, token);
          return undefined;
        }
        const text = destringize(operand[0].text);
        const tokens = scan(text, -1).filter((t) => t.kind !== TokenKind.Newline && t.kind !== TokenKind.EndOfFile);
        const range = userRange(token);
        this.applyPragma(tokens, { file: range.file, pos: range.pos, end: range.end }, frame);
        return undefined;
      }
      default:
        return token;
    }
  }

  /** Reads `( ... )` after a built-in function-like macro, unexpanded; reports and returns undefined if absent. */
  readParenthesized(context: ExpansionContext, nameToken: Token): Token[] | undefined {
    const open = this.readRaw(context);
    if (!isPunctuator(open, '(')) {
      this.report(Diagnostics.FeatureCheckSyntax, nameToken, nameToken.text, 'operand');
      this.pushBack(context, open);
      return undefined;
    }
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const token = this.readRaw(context);
      if (token.kind === TokenKind.EndOfFile) {
        this.report(Diagnostics.FeatureCheckSyntax, nameToken, nameToken.text, 'operand');
        this.pushBack(context, token);
        return undefined;
      }
      if (isPunctuator(token, '(')) depth++;
      else if (isPunctuator(token, ')')) {
        if (depth === 0) return tokens;
        depth--;
      }
      tokens.push(token);
    }
  }
}

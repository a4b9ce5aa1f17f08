/** `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif`: the conditional stack, skipping groups, evaluating conditions, include-guard detection. */

import { Diagnostics } from '../diagnostics';
import { evaluateExpression } from './expression';
import { Token, TokenKind } from '../token';
import { endOfInput, isPunctuator, type ExpansionContext, type FileFrame } from './records';
import { MacroExpander } from './expansion';

export abstract class ConditionalDirectives extends MacroExpander {
  // ---- conditionals -----------------------------------------------------------------------------------

  handleIf(frame: FileFrame, hash: Token, directive: Token, firstDirective: boolean): void {
    if (this.conditionals.length >= this.limits.conditionalDepth) {
      this.report(Diagnostics.ConditionalNestedTooDeeply, directive, this.limits.conditionalDepth, 'conditionalDepth');
      this.skipRestOfLine(frame);
      this.skipGroup(frame, hash, true);
      return;
    }
    let value: boolean;
    let guardCandidate: string | undefined;
    if (directive.text === 'if') {
      const line = this.lineTokens(frame);
      value = this.evaluateCondition(line, directive);
      if (line.length >= 2 && line[0].text === '!' && line[1].text === 'defined') {
        const named = isPunctuator(line[2], '(') ? (isPunctuator(line[4], ')') && line.length === 5 ? line[3] : undefined)
          : line.length === 3 ? line[2] : undefined;
        if (named?.kind === TokenKind.Identifier) guardCandidate = named.text;
      }
    } else {
      const nameToken = frame.tokens[frame.index];
      if (nameToken.kind !== TokenKind.Identifier) {
        const missing = nameToken.kind === TokenKind.Newline || nameToken.kind === TokenKind.EndOfFile;
        this.report(missing ? Diagnostics.MacroNameMissing : Diagnostics.MacroNameMustBeIdentifier, missing ? directive : nameToken);
        this.skipRestOfLine(frame);
        value = false;
      } else {
        frame.index++;
        value = this.macros.has(nameToken.text) === (directive.text === 'ifdef');
        this.checkEndOfDirective(frame, directive.text);
        if (directive.text === 'ifndef') guardCandidate = nameToken.text;
      }
    }
    if (firstDirective && guardCandidate !== undefined && frame.guardMacro === undefined) {
      frame.guardMacro = guardCandidate;
      frame.guardConditionalDepth = this.conditionals.length;
    }
    this.conditionals.push({ directive, taken: value, sawElse: false });
    if (!value) this.skipGroup(frame, hash, false);
  }

  /**
   * Skips a false group: walks directive lines only, tracking nested #if groups, until the #elif/#else/
   * #endif that belongs to the current conditional, which is then handled normally.
   */
  skipGroup(frame: FileFrame, from: Token, skipWholeConditional: boolean): void {
    let depth = skipWholeConditional ? 1 : 0;
    const tokens = frame.tokens;
    const start = from.pos;
    for (;;) {
      const token = tokens[frame.index];
      if (token.kind === TokenKind.EndOfFile) {
        this.skippedRanges.push({ file: frame.file.id, pos: start, end: token.pos });
        return;
      }
      frame.index++;
      if (!(token.atLineStart && isPunctuator(token, '#'))) continue;
      const name = tokens[frame.index];
      const text = name.kind === TokenKind.Identifier ? name.text : '';
      if (text === 'if' || text === 'ifdef' || text === 'ifndef') depth++;
      else if (text === 'endif' || text === 'elif' || text === 'else') {
        if (depth > 0) {
          if (text === 'endif') depth--;
          if (depth === 0 && skipWholeConditional) {
            frame.index++;
            this.skipRestOfLine(frame);
            this.skippedRanges.push({ file: frame.file.id, pos: start, end: token.pos });
            return;
          }
          continue;
        }
        this.skippedRanges.push({ file: frame.file.id, pos: start, end: token.pos });
        frame.index++;
        if (text === 'endif') this.handleEndif(frame, name);
        else this.handleElse(frame, name);
        return;
      }
    }
  }

  handleElse(frame: FileFrame, directive: Token): void {
    const group = this.conditionals.length > frame.conditionalBase ? this.conditionals[this.conditionals.length - 1] : undefined;
    if (!group) {
      this.report(Diagnostics.DirectiveWithoutIf, directive, directive.text);
      this.skipRestOfLine(frame);
      return;
    }
    if (group.sawElse) {
      this.report(Diagnostics.DirectiveAfterElse, directive, directive.text);
    }
    if (frame.guardConditionalDepth === this.conditionals.length - 1) frame.guardBroken = true;
    if (directive.text === 'else') {
      group.sawElse = true;
      this.checkEndOfDirective(frame, 'else');
      if (group.taken) this.skipGroup(frame, directive, false);
      else group.taken = true;
      return;
    }
    if (group.taken) {
      this.skipRestOfLine(frame);
      this.skipGroup(frame, directive, false);
      return;
    }
    const value = this.evaluateCondition(this.lineTokens(frame), directive);
    if (value) group.taken = true;
    else this.skipGroup(frame, directive, false);
  }

  handleEndif(frame: FileFrame, directive: Token): void {
    if (this.conditionals.length <= frame.conditionalBase) {
      this.report(Diagnostics.DirectiveWithoutIf, directive, 'endif');
      this.skipRestOfLine(frame);
      return;
    }
    this.conditionals.pop();
    this.checkEndOfDirective(frame, 'endif');
    if (frame.guardMacro !== undefined && frame.guardConditionalDepth === this.conditionals.length && frame.guardClosedAt === undefined) {
      frame.guardClosedAt = frame.index;
    }
  }

  evaluateCondition(line: Token[], directive: Token): boolean {
    if (line.length === 0) {
      this.report(Diagnostics.ExpectedValueInExpression, directive);
      return false;
    }
    this.expansionProduced = 0;
    this.expansionAborted = false;
    const context: ExpansionContext = { frames: [{ tokens: line, index: 0 }], bottom: () => endOfInput, inCondition: true, argumentDepth: 0 };
    const expanded: Token[] = [];
    for (;;) {
      const token = this.nextExpanded(context);
      if (token.kind === TokenKind.EndOfFile) break;
      expanded.push(token);
    }
    if (this.expansionAborted) return false;
    const result = evaluateExpression(expanded, (message, token, ...args) => this.report(message, token ?? directive, ...args),
      this.limits.expressionDepth);
    return result !== undefined && result.value !== 0n;
  }
}

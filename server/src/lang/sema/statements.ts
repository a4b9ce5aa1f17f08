/** Statements: blocks, control flow, loop and switch context, case labels. */

import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { isError, isInteger, isScalar, isVoid, quotedType } from '../types';
import { DeclarationAnalyzer } from './declarations';

export abstract class StatementAnalyzer extends DeclarationAnalyzer {
  // ---------------------------------------------------------------- statements
  protected blockItems(block: ast.CompoundStatement): void {
    for (const item of block.items) {
      if (item.kind === 'Declaration') this.declaration(item);
      else if (item.kind === 'StaticAssert') this.staticAssert(item);
      else this.statement(item);
    }
  }

  protected statement(node: ast.Statement): void {
    switch (node.kind) {
      case 'Compound': this.withScope(() => this.blockItems(node)); break;
      case 'ExpressionStatement': if (node.expression) this.expression(node.expression); break;
      case 'If': this.condition(node.condition, keyword(node, 'if')); this.statement(node.then); if (node.else) this.statement(node.else); break;
      case 'While': this.condition(node.condition, keyword(node, 'while')); this.loop(node.body); break;
      case 'Do': this.loop(node.body); this.condition(node.condition, keyword(node, 'do')); break;
      case 'For':
        this.withScope(() => {
          if (node.init) { if (node.init.kind === 'Declaration') this.declaration(node.init); else this.expression(node.init); }
          if (node.condition) this.condition(node.condition, keyword(node, 'for'));
          if (node.update) this.expression(node.update);
          this.loop(node.body);
        });
        break;
      case 'Switch': {
        const discriminant = this.expression(node.discriminant);
        if (!isInteger(discriminant) && !isError(discriminant)) {
          this.report(Diagnostics.SwitchConditionNotInteger, keyword(node, 'switch'), [quotedType(discriminant)]);
        }
        this.switchDepth++;
        this.switches.push({ values: new Map() });
        this.statement(node.body);
        this.switches.pop();
        this.switchDepth--;
        break;
      }
      case 'Case': {
        // an operand in error (an undeclared name) is reported already; clang says nothing more of the label
        const valueType = this.expression(node.value);
        const value = this.evaluate(node.value);
        if (value === undefined && !isError(valueType)) this.report(Diagnostics.NotIntegerConstant, node.value);
        if (node.last) { const lastType = this.expression(node.last); if (this.evaluate(node.last) === undefined && !isError(lastType)) this.report(Diagnostics.NotIntegerConstant, node.last); }
        const current = this.switches[this.switches.length - 1];
        if (!current) this.report(Diagnostics.CaseNotInSwitch, keyword(node, 'case'), ['case']);
        if (current && value !== undefined && !node.last) {
          const previous = current.values.get(value);
          if (previous) this.reportRedefinition(Diagnostics.DuplicateCaseValue, node.value, [node.value.kind === 'Identifier' ? node.value.name : String(value)], previous, 'previous case defined here');
          else current.values.set(value, node.value);
        }
        this.statement(node.body);
        break;
      }
      case 'Default': {
        const current = this.switches[this.switches.length - 1];
        if (!current) this.report(Diagnostics.CaseNotInSwitch, keyword(node, 'default'), ['default']);
        // clang walks the cases from the last one: the error is on the first default, the note on the later one.
        if (current?.defaultLabel) this.reportRedefinition(Diagnostics.MultipleDefaultLabels, current.defaultLabel, [], { ...node, end: node.pos + 'default'.length } as ast.Node, 'previous case defined here');
        else if (current) current.defaultLabel = { ...node, end: node.pos + 'default'.length } as ast.Node;
        this.statement(node.body);
        break;
      }
      case 'Labeled': this.statement(node.body); break;
      case 'Break':
        if (this.loopDepth === 0 && this.switchDepth === 0) this.report(Diagnostics.BreakOutsideLoop, node, ['break', ' or switch']);
        break;
      case 'Continue':
        if (this.loopDepth === 0) this.report(Diagnostics.BreakOutsideLoop, node, ['continue', '']);
        break;
      case 'Goto': this.functionContext?.gotos.push(node.label); break;
      case 'Return': {
        const context = this.functionContext;
        // mirrors clang's Sema::BuildReturnStmt(): an error by default (-Wreturn-type) in C
        if (!node.value) { if (context && !isVoid(context.returns) && !isError(context.returns)) this.report(Diagnostics.ReturnWithoutValue, keyword(node, 'return'), [context.name]); break; }
        const valueType = this.expression(node.value);
        if (context && isVoid(context.returns) && !isVoid(valueType) && !isError(valueType)) {
          this.report(Diagnostics.VoidFunctionReturnsValue, node, [context.name]);
        }
        if (context && !isVoid(context.returns) && !this.assignable(context.returns, valueType)) {
          this.report(Diagnostics.IncompatibleReturn, node.value, [quotedType(context.returns), quotedType(valueType)]);
        }
        break;
      }
      case 'Asm': for (const operand of node.operands ?? []) this.expression(operand.value); break;
    }
  }

  protected loop(body: ast.Statement): void {
    this.loopDepth++;
    const savedSwitch = this.switchDepth;
    this.statement(body);
    this.switchDepth = savedSwitch;
    this.loopDepth--;
  }

  /** The controlling expression of a statement (reported at its keyword) or of `?:` (at the `?`, with clang's other words). */
  protected condition(expression: ast.Expression, at: ast.Span, message = Diagnostics.ConditionNotScalar): void {
    // a function designator decays to a pointer (C11 6.3.2.1), so `if (weak_kfunc)` is a valid test
    const type = this.decay(this.expression(expression));
    if (!isScalar(type) && !isError(type)) this.report(message, at, [quotedType(type)]);
  }
}

/** A statement's keyword, where clang puts the caret of the diagnostics about the statement as a whole. */
function keyword(node: ast.Node, word: string): ast.Span {
  return { file: node.file, pos: node.pos, end: node.pos + word.length };
}

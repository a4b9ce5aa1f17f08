/**
 * Walks over the IR: the children of an expression, of a statement, and every node under a statement (statement
 * expressions included). Lowering's passes over a finished function and the checker's share them.
 */

import type { Expr, Stmt } from './ir';

export function forEachChild(e: Expr, f: (c: Expr) => void): void {
  switch (e.op) {
    case 'assign': f(e.value); break;
    case 'load': case 'loadPtr': f(e.ptr); break;
    case 'store': f(e.ptr); f(e.value); break;
    case 'copy': f(e.dst); f(e.src); if (e.length) f(e.length); break;
    case 'fill': f(e.dst); if (e.length) f(e.length); break;
    case 'binary': case 'ptrCompare': case 'ptrDiff': case 'logical': f(e.left); f(e.right); break;
    case 'unary': case 'convert': case 'ptrToInt': case 'intToPtr': case 'ptrCast': f(e.operand); break;
    case 'ptrAdd': f(e.ptr); f(e.index); break;
    case 'conditional': f(e.test); f(e.then); f(e.else); break;
    case 'sequence': f(e.first); f(e.second); break;
    case 'callHelper': case 'call': e.args.forEach(f); break;
    default: break;
  }
}

export function forEachStmtChild(s: Stmt, fs: (c: Stmt) => void, fe: (e: Expr) => void): void {
  switch (s.op) {
    case 'expr': fe(s.expr); break;
    case 'block': s.body.forEach(fs); break;
    case 'if': fe(s.test); fs(s.then); if (s.else) fs(s.else); break;
    case 'loop': if (s.init) fs(s.init); if (s.test) fe(s.test); if (s.update) fe(s.update); fs(s.body); break;
    case 'return': if (s.value) fe(s.value); break;
    case 'switch': fe(s.test); s.cases.forEach((c) => c.body.forEach(fs)); break;
    case 'declare': if (s.init) fe(s.init); break;
    default: break;
  }
}

/** Calls `onStmt` for `s` and every statement under it, `onExpr` for every expression under it, statement expressions included. */
export function forEachNode(s: Stmt, onStmt: (s: Stmt) => void, onExpr: (e: Expr) => void = () => undefined): void {
  const visitExpr = (e: Expr): void => {
    onExpr(e);
    if (e.op === 'stmtExpr') { visitStmt(e.body); if (e.value) visitExpr(e.value); }
    forEachChild(e, visitExpr);
  };
  const visitStmt = (st: Stmt): void => { onStmt(st); forEachStmtChild(st, visitStmt, visitExpr); };
  visitStmt(s);
}

/** Whether `e` or an expression under it (statement expressions included) satisfies `test`. */
export function someExpr(e: Expr, test: (x: Expr) => boolean): boolean {
  let found = false;
  forEachNode({ op: 'expr', expr: e, loc: e.loc }, () => undefined, (x) => { if (!found && test(x)) found = true; });
  return found;
}

// ESLint rule kisd/max-function-logic: a function may hold at most `max` lines of its own logic — lines with
// code that are not blank, not comments and not inside a nested function (a factory that returns a dozen
// small closures is a module, not one long function; the closures are measured on their own).
// ESLint's max-lines-per-function counts nested functions into their parent, which would flag every factory.

const FUNCTION_NODES = ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'];

/** @type {import('eslint').Rule.RuleModule} */
export const maxFunctionLogic = {
  meta: {
    type: 'suggestion',
    docs: { description: 'limit the lines of logic a function holds itself (nested functions excluded)' },
    schema: [{ type: 'object', properties: { max: { type: 'integer', minimum: 1 } }, additionalProperties: false }],
    messages: { tooLong: "{{name}} holds {{lines}} lines of logic (max {{max}}): split it by concern" },
  },
  create(context) {
    const max = context.options[0]?.max ?? 80;
    const source = context.sourceCode;
    // Lines that carry code: any token starts or spans them (comments are not tokens).
    const codeLines = new Set();
    for (const token of source.ast.tokens) for (let l = token.loc.start.line; l <= token.loc.end.line; l++) codeLines.add(l);
    const stack = [];
    const enter = (node) => stack.push({ node, nested: [] });
    const exit = (node) => {
      const frame = stack.pop();
      if (stack.length > 0) stack[stack.length - 1].nested.push([node.loc.start.line, node.loc.end.line]);
      let lines = 0;
      for (let l = node.loc.start.line; l <= node.loc.end.line; l++) {
        if (!codeLines.has(l)) continue;
        // A nested function's first and last lines also belong to its parent (`const f = () => {`, `};`).
        if (frame.nested.some(([s, e]) => l > s && l < e)) continue;
        lines++;
      }
      if (lines > max) {
        const name = node.id?.name ?? (node.parent?.type === 'VariableDeclarator' ? node.parent.id.name : undefined) ?? (node.parent?.key?.name) ?? 'function';
        context.report({ node, loc: node.loc.start, messageId: 'tooLong', data: { name, lines: String(lines), max: String(max) } });
      }
    };
    const listeners = {};
    for (const t of FUNCTION_NODES) {
      listeners[t] = enter;
      listeners[`${t}:exit`] = exit;
    }
    return listeners;
  },
};

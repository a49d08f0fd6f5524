import { parseScript } from 'meriyah';

/**
 * Makes the extracted player code cheap to load in a new isolate. youtubei.js's
 * extraction brings every function the `n` dispatcher can reach (about 170 kB,
 * of which a resolve runs some 10 kB), and QuickJS compiles all of it on load:
 * most of a cold isolate's cost. Here each function assigned at the top of the
 * extracted closure becomes a stub holding its source as a string, compiled the
 * first time it is called by a direct `eval` in that closure (inside QuickJS,
 * which has one; the Worker itself never evaluates anything), so it sees the
 * same variables.
 * Scanning a string literal costs a fraction of compiling it.
 *
 * Done once per player version at extraction; player-cipher.ts checks the
 * result against the plain code and keeps the plain code if they disagree.
 */
const MIN_FUNCTION_CHARS = 40;

// One function holds the direct eval, so the closure's variables are captured once; a direct
// eval in every stub would capture all of them (a thousand) in each of the hundreds of stubs.
const HELPERS = `
var __compile = function (__source) { return eval(__source); };
var __deferred = function (source) {
  var real;
  return function () {
    if (!real) real = __compile(source);
    return real.apply(this, arguments);
  };
};
`;

interface Node {
  type: string;
  range?: [number, number];
  [key: string]: unknown;
}

export function deferFunctionBodies(code: string): string | null {
  let program: { body: Node[] };
  try {
    program = parseScript(code, { ranges: true }) as unknown as { body: Node[] };
  } catch {
    return null;
  }
  const found = closureBody(program.body);
  if (!found) return null;
  const { statements: closure, bodyStart } = found;
  const edits: [number, number][] = [];
  for (const statement of closure) {
    const fn = assignedFunction(statement);
    if (!fn?.range || fn.generator || fn.async) continue;
    const [start, end] = fn.range;
    if (end - start >= MIN_FUNCTION_CHARS) edits.push([start, end]);
  }
  if (edits.length === 0) return null;
  let out = code.slice(0, bodyStart) + HELPERS;
  let at = bodyStart;
  for (const [start, end] of edits) {
    out += code.slice(at, start);
    out += `__deferred(${JSON.stringify(`(${code.slice(start, end)})`)})`;
    at = end;
  }
  return out + code.slice(at);
}

/** The statements of the `exportedVars = (function (g) { … })({})` closure youtubei.js builds, and where its body opens. */
function closureBody(body: Node[]): { statements: Node[]; bodyStart: number } | null {
  for (const statement of body) {
    if (statement.type !== 'VariableDeclaration') continue;
    for (const declarator of statement.declarations as Node[]) {
      const init = declarator.init as Node | null;
      const callee = init?.type === 'CallExpression' ? (init.callee as Node) : null;
      if ((declarator.id as Node).name === 'exportedVars' && callee?.type === 'FunctionExpression') {
        const block = callee.body as Node;
        return block.range ? { statements: block.body as Node[], bodyStart: block.range[0] + 1 } : null;
      }
    }
  }
  return null;
}

/** `x = function () {…}`, `a.b[c] = function () {…}` or `var x = function () {…}`. */
function assignedFunction(statement: Node): Node | null {
  if (statement.type === 'ExpressionStatement') {
    const expression = statement.expression as Node;
    if (expression.type === 'AssignmentExpression' && expression.operator === '=') return asFunction(expression.right as Node);
  }
  if (statement.type === 'VariableDeclaration' && (statement.declarations as Node[]).length === 1) {
    return asFunction((statement.declarations as Node[])[0]!.init as Node | null);
  }
  return null;
}

function asFunction(node: Node | null): Node | null {
  return node?.type === 'FunctionExpression' ? node : null;
}

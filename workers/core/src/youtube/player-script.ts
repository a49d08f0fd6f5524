import { JsAnalyzer, JsExtractor, JsMatchers } from 'youtubei.js/cf-worker';
import type { Types } from 'youtubei.js/cf-worker';

/**
 * Loads YouTube's web player script and extracts its signature / `n`
 * functions for the QuickJS evaluator. youtubei.js's own extraction handles
 * the current `player_es6` build; when it finds nothing (older `player_ias`
 * builds), the wider matcher below takes over instead of failing.
 */
type Node = Parameters<Types.ExtractionConfig['match']>[0];

/**
 * scripts/evaluator-parity-expected.ts runs this same function in Node to compute the V8
 * results the parity test compares against. The recorded script is the ES5 `player_ias` build, which
 * youtubei.js 18 (written for `player_es6`) does not extract on its own: its nsigMatcher wants
 * default parameters, and the URL class's methods are attached as `g.o3[w[17]][w[11]] = function…`
 * far below the class, where its analyzer does not look.
 */
export function extractDecipherScript(source: string): Types.BuildScriptResult {
  let urlClass: string | null = null;
  const claimed = new Set<Node>();
  const slice = (node: Node) => source.slice(...(node as unknown as { range: [number, number] }).range);
  const nsig = (node: Node): Node | false => {
    if (node.type !== 'VariableDeclarator' || node.init?.type !== 'FunctionExpression') return false;
    const p = node.init.params;
    if (p.length < 3 || !p.every((x) => x.type === 'Identifier' || x.type === 'AssignmentPattern')) return false;
    const withDefault = (x: Node) =>
      x.type === 'Identifier' ? { type: 'AssignmentPattern', left: x, right: { type: 'Literal', value: '' } } : x;
    const es6Shaped = { ...node, init: { ...node.init, params: [p[0], withDefault(p[1]!), withDefault(p[2]!), ...p.slice(3)] } };
    if (!JsMatchers.nsigMatcher(es6Shaped as Node)) return false;
    const ctor = node.init.body?.body.find(
      (s) => s.type === 'ExpressionStatement' && s.expression.type === 'AssignmentExpression' && s.expression.right.type === 'NewExpression',
    ) as { expression: { right: { callee: Node } } };
    urlClass = slice(ctor.expression.right.callee);
    return node;
  };
  const urlClassMethod = (node: Node): boolean => {
    if (!urlClass || claimed.has(node) || node.type !== 'ExpressionStatement') return false;
    const e = node.expression;
    if (e.type !== 'AssignmentExpression' || e.left.type !== 'MemberExpression' || e.right.type !== 'FunctionExpression') return false;
    const target = e.left.object.type === 'MemberExpression' ? slice(e.left.object) : '';
    if (target !== `${urlClass}.prototype` && !target.startsWith(`${urlClass}[`)) return false;
    claimed.add(node);
    return true;
  };
  const extractions = [
    { friendlyName: 'nsigFunction', match: nsig, stopWhenReady: false },
    { friendlyName: 'signatureTimestampVar', match: JsMatchers.timestampMatcher, collectDependencies: false, stopWhenReady: false },
    ...Array.from({ length: 16 }, () => ({ match: urlClassMethod, stopWhenReady: false })),
  ];
  const analyzer = new JsAnalyzer(source, { extractions });
  return new JsExtractor(analyzer).buildScript({
    disallowSideEffectInitializers: true,
    exportRawValues: true,
    rawValueOnly: ['signatureTimestampVar'],
  });
}


const NSIG = 'nsigFunction';
const TIMESTAMP = 'signatureTimestampVar';

export interface ExtractedCipher {
  /** Script defining `exportedVars.nsigFunction(url, sp, s)`, for cipher-solver.ts. */
  code: string;
  signatureTimestamp: number;
}

/** Extracts a player script's signature / `n` code and its signatureTimestamp; null when it finds none. */
export function extractCipher(source: string): ExtractedCipher | null {
  let data = new JsExtractor(
    new JsAnalyzer(source, { extractions: [{ friendlyName: NSIG, match: JsMatchers.nsigMatcher }, { friendlyName: TIMESTAMP, match: JsMatchers.timestampMatcher, collectDependencies: false }] }),
  ).buildScript({ disallowSideEffectInitializers: true, exportRawValues: true, rawValueOnly: [TIMESTAMP] });
  if (!data.exported.includes(NSIG)) data = extractDecipherScript(source);
  if (!data.exported.includes(NSIG)) return null;
  const fromScript = Number.parseInt(String(data.exportedRawValues?.[TIMESTAMP] ?? ''), 10);
  // The timestamp matcher wants the es6 build's shape; every build also says `signatureTimestamp:NNNNN`.
  const signatureTimestamp = fromScript || Number(/signatureTimestamp[=:](\d+)/.exec(source)?.[1] ?? 0);
  return { code: data.output, signatureTimestamp };
}

import { it } from 'vitest';
import { createQuickJsEvaluator } from './evaluator';
it('probe eval', () => {
  const out: string[] = [];
  const RealFunction = (function () {}).constructor as FunctionConstructor;
  out.push('Function patched? ' + (RealFunction !== Function));
  try { new RealFunction('return 1'); out.push('real Function ctor: allowed'); } catch (e) { out.push('real Function ctor: ' + String(e)); }
  try { new Function('return 1'); out.push('global Function: allowed'); } catch (e) { out.push('global Function: ' + String(e)); }
  out.push(String(Function).slice(0, 200));
  console.log(out.join('\n'));
});
for (const code of [
    'var t = Date.now(); var s = "x".repeat(1 << 20); return {ms: Date.now() - t, len: s.length}',
    'var t = Date.now(); var a = []; for (var i = 0; i < 20; i++) a.push("x".repeat(1 << 20)); return {ms: Date.now() - t}',
    'var t = Date.now(); var a = []; for (var i = 0; i < 20; i++) a.push(new Array(1 << 18).join("x")); return {ms: Date.now() - t}',
    'var t = Date.now(); var a = []; for (var i = 0; i < 28; i++) a.push(new Array(1 << 20).join("x")); return {ms: Date.now() - t}',
]) it('mem ' + code, async () => {
  const ev = createQuickJsEvaluator({ memoryLimitBytes: 256 << 20 });
  const t = Date.now();
  try { console.log(await ev({ output: code }, {}), Date.now() - t); } catch (e) { console.log(code, '->', String(e).slice(0, 120), Date.now() - t, 'ms'); }
}, 120_000);

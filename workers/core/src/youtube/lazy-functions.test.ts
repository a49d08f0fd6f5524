import { describe, expect, it } from 'vitest';
import { createQuickJsEvaluator } from './evaluator';
import { deferFunctionBodies } from './lazy-functions';

/** A script shaped like youtubei.js's extraction output: one closure, functions assigned at its top. */
const SCRIPT = `
const exportedVars = (function (g) {
  var shared = 0, Counter, bump, describe;
  Counter = function (start) { this.value = start; shared = shared + 1; return undefined; };
  Counter.prototype.add = function (by) { this.value = this.value + by; return this; };
  bump = function (by) { shared = shared + by; return shared; /* long enough to be deferred */ };
  describe = function () { return [shared, typeof Counter, this === globalThis || this === undefined].join(); };
  g.tiny = function () { return 1 };
  function result() {
    var counter = new Counter(40).add(2);
    return { value: counter.value, isCounter: counter instanceof Counter, bumped: bump(10), described: describe(), tiny: g.tiny() };
  }
  return { result: result };
})({});
`;

describe('deferred function bodies', () => {
  it('turns the closure’s functions into strings, compiled on first call with the same variables', async () => {
    const deferred = deferFunctionBodies(SCRIPT)!;
    expect(deferred).toContain('__deferred("(function (by) { shared = shared + by;');
    expect(deferred).toContain('g.tiny = function () { return 1 }'); // too short to be worth it
    const evaluate = createQuickJsEvaluator();
    const plain = await evaluate({ output: `${SCRIPT}\nreturn exportedVars.result();` }, {});
    await expect(evaluate({ output: `${deferred}\nreturn exportedVars.result();` }, {})).resolves.toEqual(plain);
    expect(plain).toEqual({ value: 42, isCounter: true, bumped: 11, described: '11,function,true', tiny: 1 });
  });

  it('leaves code of another shape alone', () => {
    expect(deferFunctionBodies('var x = function () { return 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8; };')).toBeNull();
    expect(deferFunctionBodies('this is not javascript')).toBeNull();
  });
});

/**
 * Runs inside workerd. The expected values come from evaluator.parity.json, which
 * scripts/evaluator-parity-expected.ts computes in Node with V8 (`new Function`) from the same
 * recorded player script: workerd cannot produce them itself, as the first test shows, and a
 * committed golden file keeps the test free of any Node-side setup. If the fixture or
 * youtubei.js changes, rerun the script (`npx tsx scripts/evaluator-parity-expected.ts`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Platform, Player, Utils } from 'youtubei.js/cf-worker';
import type { Types } from 'youtubei.js/cf-worker';
import playerFixture from '../../../../test/fixtures/youtube/player-js/c9168c90-base.json';
import cipheredFixture from '../../../../test/fixtures/youtube/player-web-ciphered/iuevw6218F0.json';
import parity from './evaluator.parity.json';
import { createQuickJsEvaluator, EvaluatorError, getQuickJs, installEvaluator } from './evaluator';
import { extractDecipherScript } from './player-script';
import { sha256Hex } from '../hash';


describe('the Workers runtime', () => {
  it('refuses to compile code from strings, which is why QuickJS is needed', () => {
    // The vitest pool swaps globalThis.Function for one backed by its own eval binding, so take
    // the intrinsic constructor the way player code would reach it.
    const IntrinsicFunction = (function () {}).constructor as FunctionConstructor;
    expect(() => new IntrinsicFunction('return 1')).toThrow(EvalError);
    expect(() => (0, eval)('1')).toThrow(EvalError);
  });
});

describe('QuickJS evaluator', () => {
  const evaluate = createQuickJsEvaluator();

  it('runs a function body the way `new Function(body)()` would', async () => {
    await expect(evaluate({ output: 'var x = 20; return { n: String(x + 1), self: this === globalThis }' }, {})).resolves.toEqual({
      n: '21',
      self: true,
    });
    await expect(evaluate({ output: 'return undefined' }, {})).resolves.toBeUndefined();
  });

  it('gives every call a fresh global object', async () => {
    await evaluate({ output: 'globalThis.leak = 1; return {}' }, {});
    await expect(evaluate({ output: 'return { seen: typeof leak }' }, {})).resolves.toEqual({ seen: 'undefined' });
  });

  it('reports a throwing script as an EvaluatorError', async () => {
    await expect(evaluate({ output: 'throw new TypeError("boom")' }, {})).rejects.toThrow(/TypeError: boom/);
    await expect(evaluate({ output: 'return (' }, {})).rejects.toBeInstanceOf(EvaluatorError);
  });

  it('stops a script that loops forever by its work budget, without relying on the clock', async () => {
    // Production Workers do not advance Date.now() during synchronous code, so the deadline
    // is disabled here and only the poll budget can end the loop.
    const strict = createQuickJsEvaluator({ maxInterruptPolls: 50, timeoutMs: Number.POSITIVE_INFINITY });
    await expect(strict({ output: 'for (;;) {}' }, {})).rejects.toThrow(/interrupted/);
    await expect(strict({ output: 'return { ok: "after" }' }, {})).resolves.toEqual({ ok: 'after' });
  });

  it('stops a script that loops forever with the default limits', async () => {
    await expect(evaluate({ output: 'while (true) {}' }, {})).rejects.toThrow(EvaluatorError);
  });

  it('contains runaway memory, including what the QuickJS heap limit does not count', async () => {
    const heap = async () => (await getQuickJs()).getWasmMemory().buffer.byteLength;
    for (const bomb of [
      'var a = []; for (;;) a.push({ i: a.length });',
      'var a = []; for (;;) a.push(new ArrayBuffer(1 << 20));', // not counted by setMemoryLimit
      'var a = []; for (;;) a.push("x".repeat(1 << 20) + a.length);',
    ]) {
      await expect(evaluate({ output: bomb }, {})).rejects.toThrow(EvaluatorError);
      expect(await heap()).toBeLessThanOrEqual(64 * 1024 * 1024);
    }
  });

  it('turns runaway recursion into an error, not a wasm trap', async () => {
    await expect(evaluate({ output: 'function f() { return f() + 1 } return f()' }, {})).rejects.toThrow(/stack overflow/);
  });

  it('replaces the QuickJS instance after an Emscripten abort', async () => {
    // QuickJS 2025-09 trips an assertion when freeing a runtime after a stack overflow deep in
    // native code (here JSON.parse), and an abort leaves the wasm instance unsound. Should a later
    // QuickJS return normally instead, the script reports that and the test still holds.
    const before = await getQuickJs();
    const nested = 'var s = ""; for (var i = 0; i < 200000; i++) s += "["; try { JSON.parse(s) } catch (e) { return { e: String(e) } }';
    const outcome = await evaluate({ output: nested }, {}).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if ('error' in outcome) {
      expect(outcome.error).toBeInstanceOf(EvaluatorError);
      expect(String(outcome.error)).toMatch(/QuickJS failed: RuntimeError/);
      expect(await getQuickJs()).not.toBe(before);
    } else {
      expect(outcome.value).toEqual({ e: expect.stringMatching(/overflow/) });
    }
  });

  it('keeps working after a script failed', async () => {
    await expect(evaluate({ output: 'return { still: "alive" }' }, {})).resolves.toEqual({ still: 'alive' });
  });
});

describe('parity with V8 on the recorded YouTube player (c9168c90)', () => {
  let script: Types.BuildScriptResult;

  beforeAll(() => {
    script = extractDecipherScript(playerFixture.response.body);
  });

  it('extracts, inside workerd, exactly the script Node evaluated', async () => {
    expect(script.exported).toContain('nsigFunction');
    expect(script.output.length).toBe(parity.scriptLength);
    expect(await sha256Hex(script.output)).toBe(parity.scriptSha256);
    expect(Number(script.exportedRawValues?.signatureTimestampVar)).toBe(parity.signatureTimestamp);
  });

  it.each(parity.cases.map((c) => [JSON.stringify(c.input), c] as const))('%s', async (_, { input, expected }) => {
    const { n, sp, s } = input as { n?: string; sp?: string; s?: string };
    const output = `${script.output}\n${Utils.getNsigProcessorFn(n, sp, s)}`;
    // JSON round trip: V8's `undefined` members were dropped when the golden file was written.
    const actual = JSON.parse(JSON.stringify(await createQuickJsEvaluator()({ output }, {})));
    expect(actual).toEqual(expected);
  });

  describe('through youtubei.js Player.decipher', () => {
    let previousEval: typeof Platform.shim.eval;
    beforeAll(() => {
      previousEval = Platform.shim.eval;
      installEvaluator();
    });
    afterAll(() => {
      Platform.shim.eval = previousEval;
    });

    it('deciphers a WEB signatureCipher format to the URL V8 produced', async () => {
      const player = await Player.fromSource(parity.playerId, {
        signature_timestamp: parity.signatureTimestamp,
        data: script,
      });
      const formats = [...cipheredFixture.response.body.streamingData.formats, ...cipheredFixture.response.body.streamingData.adaptiveFormats];
      const format = formats.find((f) => f.itag === parity.decipher.itag && 'signatureCipher' in f) as { signatureCipher: string };
      expect(format.signatureCipher).toBe(parity.decipher.signatureCipher);

      const url = new URL(await player.decipher(undefined, format.signatureCipher));
      expect(url.toString()).toBe(parity.decipher.url);

      const cipher = new URLSearchParams(format.signatureCipher);
      const original = new URL(cipher.get('url')!);
      const byInput = (want: object) => parity.cases.find((c) => JSON.stringify(c.input) === JSON.stringify(want))!.expected;
      expect(url.searchParams.get('sig')).toBe(byInput({ s: cipher.get('s'), sp: 'sig' }).sig);
      expect(url.searchParams.get('n')).toBe(byInput({ n: original.searchParams.get('n') }).n);
      expect(url.searchParams.get('n')).not.toBe(original.searchParams.get('n'));
    });
  });
});

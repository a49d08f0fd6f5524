import type { QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten-core';
import { discardQuickJs, EvaluatorError, getQuickJs } from './evaluator';

/**
 * Runs a player's extracted signature / `n` code (player-scripts.ts) in QuickJS.
 * Parsing that code (130–170 kB) is the expensive part, so it is loaded once
 * per player in an isolate into a QuickJS context of its own, and a resolve's
 * formats are deciphered in one call into it. The context only ever holds
 * that one player's code, and each call gets the same work budget as a fresh
 * evaluation would (evaluator.ts's limits).
 */
export interface DecipherInput {
  /** The `n` parameter to transform. */
  n?: string;
  /** The signature (`s` of a signatureCipher) to decipher. */
  s?: string;
}
export interface DecipherOutput {
  n?: string;
  sig?: string;
}

const LIMITS = { memoryLimitBytes: 32 * 1024 * 1024, maxStackSizeBytes: 256 * 1024, maxInterruptPolls: 300 };

// Drives the player's URL class the way the player does (youtubei.js's getNsigProcessorFn does
// the same for one value): built with the signature, every method but the accessors is called,
// which runs the `n` transform; then the deciphered values are read back.
const DRIVER = `
globalThis.__decipherAll = function (items) {
  var make = exportedVars.nsigFunction;
  if (typeof make !== 'function') throw new Error('no signature/n function extracted');
  var skip = { constructor: 1, clone: 1, set: 1, get: 1 };
  return items.map(function (item) {
    var url = 'https://rr.googlevideo.com/videoplayback?expire=1234567890' + (item.n ? '&n=' + encodeURIComponent(item.n) : '');
    var sp = item.s ? 'sig' : '';
    var built = make(url, sp, item.s || '');
    var proto = Object.getPrototypeOf(built);
    Object.getOwnPropertyNames(proto).forEach(function (name) {
      if (!skip[name] && typeof built[name] === 'function') built[name]();
    });
    var sig = sp ? built.get(sp) : null;
    var n = item.n ? built.get('n') : null;
    return { sig: sig ? decodeURIComponent(sig) : undefined, n: n ? decodeURIComponent(n) : undefined };
  });
};`;

export class CipherSolver {
  private constructor(
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private polls: { count: number },
  ) {}

  /** Parses the extracted code once; throws EvaluatorError when it does not run. */
  static async load(code: string): Promise<CipherSolver> {
    const module = await getQuickJs();
    const runtime = module.newRuntime();
    const polls = { count: 0 };
    runtime.setMemoryLimit(LIMITS.memoryLimitBytes);
    runtime.setMaxStackSize(LIMITS.maxStackSizeBytes);
    runtime.setInterruptHandler(() => ++polls.count > LIMITS.maxInterruptPolls);
    const context = runtime.newContext();
    const solver = new CipherSolver(runtime, context, polls);
    try {
      // Inside a function, so the script's top-level `const`s stay out of the global scope.
      solver.run(`(function () {\n${code}\n${DRIVER}\n}).call(globalThis); 'ok'`);
    } catch (error) {
      solver.dispose();
      throw error;
    }
    return solver;
  }

  /** Deciphers every input in one evaluation. */
  decipher(items: DecipherInput[]): DecipherOutput[] {
    if (items.length === 0) return [];
    const result = this.run(`JSON.stringify(__decipherAll(${JSON.stringify(items)}))`);
    const parsed = typeof result === 'string' ? (JSON.parse(result) as unknown) : null;
    if (!Array.isArray(parsed) || parsed.length !== items.length) throw new EvaluatorError('The player code gave no answer');
    return parsed as DecipherOutput[];
  }

  dispose(): void {
    try {
      this.context.dispose();
      this.runtime.dispose();
    } catch {
      // a trapped instance cannot be freed; evaluator.ts drops it
    }
  }

  /** False once QuickJS trapped under this solver: it must be loaded again. */
  usable = true;

  private run(source: string): unknown {
    this.polls.count = 0;
    let result: ReturnType<QuickJSContext['evalCode']>;
    try {
      result = this.context.evalCode(source, 'youtube-player.js');
    } catch (error) {
      // An Emscripten abort leaves the wasm instance unsound: nothing in it can be trusted again.
      this.usable = false;
      discardQuickJs();
      throw new EvaluatorError(`QuickJS failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (result.error) {
      let thrown: unknown;
      try {
        thrown = this.context.dump(result.error);
      } catch {
        thrown = undefined;
      } finally {
        result.error.dispose();
      }
      const message = thrown && typeof thrown === 'object' && 'message' in thrown ? String((thrown as { message: unknown }).message) : String(thrown);
      throw new EvaluatorError(`Player code failed: ${message}`);
    }
    try {
      return this.context.dump(result.value);
    } finally {
      result.value.dispose();
    }
  }
}

import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import releaseSyncVariant from '@jitl/quickjs-wasmfile-release-sync';
// Reached by relative path on purpose. Workers cannot compile wasm from bytes at runtime, so the
// bundler must see an import whose specifier ends in `.wasm` and turn it into a WebAssembly.Module
// (wrangler's CompiledWasm rule; the vitest pool does the same). The package's own "./wasm" export
// does not end in `.wasm`, and Vite refuses the bare `…/dist/emscripten-module.wasm` subpath
// because "exports" does not list it; a relative path satisfies both.
import quickJsWasm from '../../../../node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm';
import { Platform } from 'youtubei.js/cf-worker';

/**
 * youtubei.js hands its evaluator a function *body* (the extracted player code followed by
 * `return process(n, sp, s)`, see getNsigProcessorFn) and expects what `new Function(body)()`
 * returns: `{ sig?: string, n?: string }`. Workers refuse `eval`/`new Function`, so the body runs
 * in QuickJS compiled to WebAssembly instead.
 */
export interface EvaluatorData {
  output: string;
  [key: string]: unknown;
}
export type Evaluator = (data: EvaluatorData, env: Record<string, unknown>) => Promise<unknown>;

export interface QuickJsEvaluatorOptions {
  /** Cap on the QuickJS heap. Wasm memory never shrinks, so this also caps what the isolate keeps. */
  memoryLimitBytes?: number;
  /** Cap on the interpreter's own stack, kept well below the wasm stack so deep recursion is a RangeError, not a trap. */
  maxStackSizeBytes?: number;
  /**
   * Work budget, counted in QuickJS interrupt polls (one per ~10k bytecode branches). A count, not a
   * clock: the Workers clock stands still during synchronous code, so a deadline alone never fires.
   */
  maxInterruptPolls?: number;
  /** Wall-clock deadline as well, for runtimes whose clock does move (Node, tests). */
  timeoutMs?: number;
}

// A real n/sig evaluation (c9168c90 player, 170 kB of extracted code) needs ~20 polls, ~5 MB.
const DEFAULTS: Required<QuickJsEvaluatorOptions> = {
  memoryLimitBytes: 32 * 1024 * 1024,
  maxStackSizeBytes: 256 * 1024,
  maxInterruptPolls: 2_000,
  timeoutMs: 2_000,
};

export class EvaluatorError extends Error {
  override name = 'EvaluatorError';
}

let quickJs: Promise<QuickJSWASMModule> | undefined;

/** Instantiated once per isolate: compiling is free (done at upload), instantiating is not. */
export function getQuickJs(): Promise<QuickJSWASMModule> {
  if (!quickJs) {
    quickJs = newQuickJSWASMModuleFromVariant(newVariant(releaseSyncVariant, { wasmModule: quickJsWasm }));
    // A failed instantiation must not poison the isolate for good.
    quickJs.catch(() => (quickJs = undefined));
  }
  return quickJs;
}

export function createQuickJsEvaluator(options: QuickJsEvaluatorOptions = {}): Evaluator {
  const limits = { ...DEFAULTS, ...options };
  return async (data) => {
    if (typeof data?.output !== 'string') throw new EvaluatorError('Nothing to evaluate: data.output is not a string');
    const module = await getQuickJs();
    return evaluateBody(module, data.output, limits);
  };
}

function evaluateBody(module: QuickJSWASMModule, body: string, limits: Required<QuickJsEvaluatorOptions>): unknown {
  // A fresh runtime per call: nothing a script leaves on globalThis can leak into the next call,
  // and disposing the runtime frees everything it allocated even if a handle were missed.
  const runtime = module.newRuntime();
  try {
    runtime.setMemoryLimit(limits.memoryLimitBytes);
    runtime.setMaxStackSize(limits.maxStackSizeBytes);
    let polls = 0;
    const deadline = Date.now() + limits.timeoutMs;
    runtime.setInterruptHandler(() => ++polls > limits.maxInterruptPolls || Date.now() > deadline);

    const context = runtime.newContext();
    try {
      // Same semantics as `new Function(body)()`: sloppy mode, `this` is the global object,
      // top-level `return` allowed. The JSON round trip hands back plain data only, so nothing
      // from inside the VM (getters, proxies) runs on the host side.
      const wrapped = `JSON.stringify((function () {\n${body}\n}).call(globalThis))`;
      const result = context.evalCode(wrapped, 'youtube-player.js');
      if (result.error) {
        const error = context.dump(result.error) as unknown;
        result.error.dispose();
        throw new EvaluatorError(`Player script failed: ${describe(error)}`);
      }
      const json: unknown = context.dump(result.value);
      result.value.dispose();
      return typeof json === 'string' ? (JSON.parse(json) as unknown) : undefined;
    } finally {
      context.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return `${typeof name === 'string' ? name : 'Error'}: ${message}`;
  }
  return String(error);
}

/** Makes youtubei.js decipher `signatureCipher` and `n` with QuickJS. Idempotent. */
export function installEvaluator(options?: QuickJsEvaluatorOptions): Evaluator {
  const evaluator = createQuickJsEvaluator(options);
  Platform.shim.eval = evaluator as typeof Platform.shim.eval;
  return evaluator;
}

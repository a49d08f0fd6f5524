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
}
export type Evaluator = (data: EvaluatorData, env: Record<string, unknown>) => Promise<unknown>;

export interface QuickJsEvaluatorOptions {
  /** Soft cap on the QuickJS heap of one evaluation (approximate; WASM_MEMORY is the hard one). */
  memoryLimitBytes?: number;
  /**
   * Cap on the interpreter's C stack. The module has 5 MiB of wasm stack; QuickJS must give up
   * well before that, or deep recursion overwrites the heap instead of throwing.
   */
  maxStackSizeBytes?: number;
  /**
   * Work budget, counted in QuickJS interrupt polls (one per ~10k bytecode branches). A count, not a
   * clock: the Workers clock stands still during synchronous code, so a deadline alone never fires.
   */
  maxInterruptPolls?: number;
  /** Wall-clock deadline as well, for runtimes whose clock does move (Node, tests). */
  timeoutMs?: number;
}

// Measured on the c9168c90 player (170 kB of extracted code): one evaluation parses and runs in
// ~30 ms, polls the interrupt handler once and never grows the wasm heap past its initial 16 MiB.
const DEFAULTS: Required<QuickJsEvaluatorOptions> = {
  memoryLimitBytes: 32 * 1024 * 1024,
  maxStackSizeBytes: 256 * 1024,
  maxInterruptPolls: 300, // a tight loop hits this in ~20 ms, an allocating one in well under 1 s
  timeoutMs: 2_000,
};

// Hard cap on the wasm heap, which the QuickJS limit above does not give: allocator overhead and
// ArrayBuffer contents escape it (a 32 MiB limit let the heap reach 144 MiB, or 2 GiB, the
// Emscripten default). Wasm memory never shrinks and belongs to the isolate, so without this one
// hostile script could leave the Worker over its 128 MB for good. Pages are 64 KiB.
const WASM_MEMORY = { initial: 256, maximum: 1024 }; // 16 MiB, growing to at most 64 MiB

export class EvaluatorError extends Error {
  override name = 'EvaluatorError';
}

let quickJs: Promise<QuickJSWASMModule> | undefined;

/** Instantiated once per isolate: compiling is free (done at upload), instantiating is not. */
export function getQuickJs(): Promise<QuickJSWASMModule> {
  if (!quickJs) {
    const variant = newVariant(releaseSyncVariant, {
      wasmModule: quickJsWasm,
      wasmMemory: new WebAssembly.Memory(WASM_MEMORY),
    });
    quickJs = newQuickJSWASMModuleFromVariant(variant);
    // A failed instantiation must not poison the isolate for good.
    quickJs.catch(() => (quickJs = undefined));
  }
  return quickJs;
}

/** Forgets the instance after a trap, so the next use instantiates a fresh one with fresh memory. */
export function discardQuickJs(): void {
  quickJs = undefined;
}

export function createQuickJsEvaluator(options: QuickJsEvaluatorOptions = {}): Evaluator {
  const limits = { ...DEFAULTS, ...options };
  return async (data) => {
    if (typeof data?.output !== 'string') throw new EvaluatorError('Nothing to evaluate: data.output is not a string');
    const pending = getQuickJs();
    const module = await pending;
    try {
      return evaluateBody(module, data.output, limits);
    } catch (error) {
      if (error instanceof EvaluatorError) throw error;
      // An Emscripten abort or trap (QuickJS asserting on its heap, say) unwinds without
      // restoring the wasm stack pointer or freeing the runtime: that instance is unsound from
      // now on, so drop it and let the next call instantiate a fresh one with fresh memory.
      if (quickJs === pending) quickJs = undefined;
      throw new EvaluatorError(`QuickJS failed: ${describe(error)}`, { cause: error });
    }
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
        let thrown: unknown;
        try {
          thrown = context.dump(result.error);
        } catch {
          thrown = undefined; // reading the exception can itself run out of memory
        } finally {
          result.error.dispose();
        }
        throw new EvaluatorError(`Player script failed: ${describe(thrown)}`);
      }
      try {
        const json: unknown = context.dump(result.value);
        return typeof json === 'string' ? (JSON.parse(json) as unknown) : undefined;
      } finally {
        result.value.dispose();
      }
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
  // QuickJS throws null when it cannot even allocate the exception.
  return error == null ? 'no exception value (out of memory?)' : String(error);
}

/** Makes youtubei.js decipher `signatureCipher` and `n` with QuickJS. Idempotent. */
export function installEvaluator(options?: QuickJsEvaluatorOptions): Evaluator {
  const evaluator = createQuickJsEvaluator(options);
  Platform.shim.eval = evaluator as typeof Platform.shim.eval;
  return evaluator;
}

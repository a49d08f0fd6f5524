import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { createLogger } from '../workers/core/src/logging/logger';
import { createOutbound } from '../workers/core/src/outbound/http';
import { upstreamOrigins } from '../workers/core/src/settings';
import { discardQuickJs, getQuickJs } from '../workers/core/src/youtube/evaluator';
import { cipherCacheKey, forgetLoadedPlayers, PlayerCiphers } from '../workers/core/src/youtube/player-cipher';
import vectors from '../test/fixtures/youtube/player-js/vectors.json';
import playerFixture from '../test/fixtures/youtube/player-js/c9168c90-base.json';
import { CipherSolver } from '../workers/core/src/youtube/cipher-solver';
import { deferFunctionBodies } from '../workers/core/src/youtube/lazy-functions';
import { extractCipher } from '../workers/core/src/youtube/player-script';

/**
 * Deciphering a resolve's formats (four chosen formats: a signature and an `n` each) on the
 * 2026 player, inside workerd. Warm: the isolate holds the parsed player code. Cold: a new
 * isolate (QuickJS instantiated again, nothing parsed) whose extracted code comes from the
 * Cache API. Locally the clock runs during synchronous code, so wall time is CPU time here.
 */
const PLAYER = 'c9168c90';
const WARM_TARGET_MS = 5;
const COLD_TARGET_MS = 20;

it('prints the CPU time of deciphering a resolve’s formats, warm and cold', { timeout: 300_000 }, async () => {
  const logger = createLogger({ level: 'error', format: 'json' });
  const outbound = createOutbound({ upstreamOrigins: upstreamOrigins.parse((env as unknown as { UPSTREAM_ORIGINS: string }).UPSTREAM_ORIGINS), timeoutMs: 60_000, logger });
  const cache = await caches.open('decipher-bench');
  const own = vectors.vectors.filter((vector) => vector.player_id === PLAYER);
  const sig = own.find((vector) => vector.kind === 'sig')!.input;
  const ns = own.filter((vector) => vector.kind === 'n').map((vector) => vector.input);
  const formats = Array.from({ length: 4 }, (_, index) => ({ s: sig, n: `${ns[index % ns.length]!}${index}` }));

  const extractStarted = performance.now();
  const warm = await new PlayerCiphers(outbound, logger, 'bench', cache).forPlayer(PLAYER);
  const extractMs = performance.now() - extractStarted;
  // The clock ticks in whole milliseconds here: time batches of 20 resolves, not single ones.
  const warmRuns: number[] = [];
  for (let batch = 0; batch < 10; batch++) {
    const started = performance.now();
    for (let run = 0; run < 20; run++) warm.decipher(formats);
    warmRuns.push((performance.now() - started) / 20);
  }
  const coldRuns: number[] = [];
  for (let run = 0; run < 10; run++) {
    await forgetLoadedPlayers();
    discardQuickJs();
    const started = performance.now();
    const cold = await new PlayerCiphers(outbound, logger, 'bench', cache).forPlayer(PLAYER);
    cold.decipher(formats);
    coldRuns.push(performance.now() - started);
  }
  // The same load, plain extracted code against its deferred form, interleaved so that the
  // machine's load weighs on both alike.
  const plain = extractCipher(playerFixture.response.body as string)!.code;
  const deferred = deferFunctionBodies(plain)!;
  const compare = { plain: [] as number[], deferred: [] as number[] };
  for (let round = 0; round < 8; round++) {
    for (const [name, code] of [['plain', plain], ['deferred', deferred]] as const) {
      const started = performance.now();
      const solver = await CipherSolver.load(code);
      solver.decipher(formats);
      compare[name].push(performance.now() - started);
      solver.dispose();
    }
  }
  // Where a cold isolate's time goes: QuickJS instantiated, the Cache API read, the code loaded and run.
  const parts = { instantiate: [] as number[], read: [] as number[], load: [] as number[] };
  for (let run = 0; run < 10; run++) {
    discardQuickJs();
    let started = performance.now();
    await getQuickJs();
    parts.instantiate.push(performance.now() - started);
    started = performance.now();
    const kept = (await (await cache.match(cipherCacheKey(PLAYER)))!.json()) as { code: string };
    parts.read.push(performance.now() - started);
    started = performance.now();
    const solver = await CipherSolver.load(kept.code);
    solver.decipher(formats);
    parts.load.push(performance.now() - started);
    solver.dispose();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const warmMs = median(warmRuns);
  const coldMs = median(coldRuns);
  const verdict = (ms: number, target: number) => (ms <= target ? `met (≤ ${target} ms)` : `NOT met (target ≤ ${target} ms)`);
  console.log(
    [
      '',
      `| deciphering a resolve's 4 formats, player ${PLAYER}, inside workerd | value | target |`,
      '| --- | --- | --- |',
      `| warm isolate (parsed player code held), median of 10 batches of 20 | ${warmMs.toFixed(2)} ms | ${verdict(warmMs, WARM_TARGET_MS)} |`,
      `| cold isolate, extracted code from the Cache API (QuickJS instantiated, code parsed), median of 10 | ${coldMs.toFixed(2)} ms | ${verdict(coldMs, COLD_TARGET_MS)} |`,
      `| the cold isolate's parts: QuickJS instantiated / Cache API read / code loaded and first decipher, medians of 10 | ${median(parts.instantiate).toFixed(1)} / ${median(parts.read).toFixed(1)} / ${median(parts.load).toFixed(1)} ms | — |`,
      `| load + first decipher in QuickJS, plain extracted code (${(plain.length / 1024).toFixed(0)} kB) / its deferred form, median of 8 | ${median(compare.plain).toFixed(1)} / ${median(compare.deferred).toFixed(1)} ms | — |`,
      `| first extraction of the player (script fetched over loopback and analysed), once per player version | ${extractMs.toFixed(0)} ms | — |`,
      '',
    ].join('\n'),
  );
});

import type { ServerResponse } from 'node:http';
import { streamBytes } from './fixtures';

/**
 * A stream's bytes are computed once and kept (a few streams at most), so that
 * serving them is a copy: the test googlevideo must not be the slowest part
 * of a throughput measurement.
 */
const generated = new Map<string, Uint8Array>();
function bytesOf(seed: number, length: number): Uint8Array {
  const key = `${seed}:${length}`;
  let bytes = generated.get(key);
  if (!bytes) {
    bytes = streamBytes(seed, 0, length - 1);
    generated.set(key, bytes);
    if (generated.size > 4) generated.delete(generated.keys().next().value!);
  }
  return bytes;
}

/** Writes bytes start..end, at most `bytesPerSecond` on average when it is set (a network-like googlevideo). */
export function writeBytes(res: ServerResponse, seed: number, start: number, end: number, length: number, bytesPerSecond = 0) {
  const piece = 256 * 1024;
  const all = length <= 64 * 1024 * 1024 ? bytesOf(seed, length) : null;
  const startedAt = performance.now();
  let position = start;
  const pump = () => {
    while (position <= end) {
      const aheadMs = bytesPerSecond ? ((position - start) / bytesPerSecond) * 1000 - (performance.now() - startedAt) : 0;
      if (aheadMs > 1) return void setTimeout(pump, aheadMs);
      const last = Math.min(end, position + piece - 1);
      const ok = res.write(all ? all.subarray(position, last + 1) : streamBytes(seed, position, last));
      position = last + 1;
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

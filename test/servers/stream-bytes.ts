/** Shared by the test servers (Node) and the tests (workerd): no Node imports here. */
/** Deterministic bytes a test googlevideo serves: byte i of a stream depends on its id, itag and i. */
export function streamByte(seed: number, index: number): number {
  return (Math.imul(index ^ seed, 2654435761) >>> 24) & 0xff;
}

export function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

export function streamBytes(seed: number, start: number, endInclusive: number): Uint8Array {
  const out = new Uint8Array(endInclusive - start + 1);
  for (let i = 0; i < out.length; i++) out[i] = streamByte(seed, start + i);
  return out;
}

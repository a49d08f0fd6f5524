/** Bytes as lowercase hex, two digits each. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let out = '';
  for (const byte of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** SHA-256 of a text's UTF-8 bytes. */
export function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}

/** SHA-256 as hex: how the store keeps an API key, and how a key names its QuotaCounter. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256(text));
}

/** base64url without padding, as stream tokens and their sealed parts are written. */
export function base64url(bytes: Uint8Array): string {
  // Each link's payload and signature (a few dozen bytes): one call, not a string grown byte by byte.
  const binary = bytes.length <= 4096 ? String.fromCharCode.apply(null, bytes as unknown as number[]) : Array.from(bytes, (byte) => String.fromCharCode(byte)).join('');
  const padded = btoa(binary);
  // Padding is at most two '=' at the end: cut by length rather than a third regular expression.
  const end = padded.endsWith('==') ? padded.length - 2 : padded.endsWith('=') ? padded.length - 1 : padded.length;
  return padded.slice(0, end).replaceAll('+', '-').replaceAll('/', '_');
}

export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

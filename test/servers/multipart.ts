/**
 * A strict multipart/form-data reader for the test Telegram server: RFC 7578
 * parts, `Content-Disposition: form-data; name=…[; filename=…]`, header names
 * in any case, parameters quoted or not (grammY writes `filename=x.m4a`).
 */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError('multipart/form-data without a boundary');
  return boundary;
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let position = body.indexOf(delimiter);
  if (position !== 0 && !(position > 0 && body.subarray(0, position).toString().trim() === '')) {
    throw new MultipartError('the body does not start with the boundary');
  }
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    if (body.subarray(position, position + 2).toString() !== '\r\n') throw new MultipartError('a boundary is not followed by CRLF');
    position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new MultipartError('a part has no header end');
    const headers = parseHeaders(body.subarray(position, headerEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('the body ends inside a part (no closing boundary)');
    parts.push(partOf(headers, body.subarray(headerEnd + 4, next)));
    position = next + 2;
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header “${line}”`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function partOf(headers: Map<string, string>, data: Buffer): FormPart {
  const disposition = headers.get('content-disposition');
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('a part is not form-data');
  const params = new Map<string, string>();
  for (const match of disposition.matchAll(/;\s*([A-Za-z*]+)=(?:"([^"]*)"|([^;]*))/g)) {
    params.set(match[1]!.toLowerCase(), (match[2] ?? match[3] ?? '').trim());
  }
  const name = params.get('name');
  if (!name) throw new MultipartError('a part has no name');
  const filename = params.get('filename');
  const contentType = headers.get('content-type');
  return { name, data, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
}

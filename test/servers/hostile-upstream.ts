import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What a hostile or compromised media host or fallback instance can answer,
 * for the attacker's-view tests: redirects (to internal addresses, to other
 * hosts, in loops), HTML instead of media, playlists of many megabytes.
 * A rule applies to requests whose `<forwarded host><path>?<query>` contains
 * `match`, `times` times (default once). `/__internal/*` stands for an
 * address inside the network: every hit is recorded, so a test can tell
 * whether the Worker ever fetched it.
 */
export interface HostileRule {
  match: string;
  times?: number;
  /** Answer a redirect to this Location (status 302 unless given). */
  redirect?: string;
  status?: number;
  /** Answer this body with this Content-Type instead of the real answer. */
  contentType?: string;
  body?: string;
  /** Answer a playlist of this many bytes, streamed without Content-Length. */
  playlistBytes?: number;
  /** Answer a playlist's headers and first line, then send nothing more (a host that stalls mid-body). */
  stall?: boolean;
}

export class HostileUpstream {
  private rules: HostileRule[] = [];
  readonly internalHits: string[] = [];

  add(rule: HostileRule): void {
    this.rules.push({ times: 1, ...rule });
  }

  reset(): void {
    this.rules = [];
    this.internalHits.length = 0;
  }

  /** True when it answered the request. */
  handle(req: IncomingMessage, url: URL, host: string, res: ServerResponse): boolean {
    if (url.pathname.startsWith('/__internal/')) {
      this.internalHits.push(url.pathname);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>internal admin</h1>');
      return true;
    }
    const subject = `${host}${url.pathname}${url.search}`;
    const rule = this.rules.find((candidate) => (candidate.times ?? 0) > 0 && subject.includes(candidate.match));
    if (!rule) return false;
    rule.times! -= 1;
    if (rule.redirect) {
      res.writeHead(rule.status ?? 302, { location: rule.redirect }).end();
    } else if (rule.playlistBytes) {
      streamPlaylist(res, rule.playlistBytes);
    } else if (rule.stall) {
      res.on('error', () => {});
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).write('#EXTM3U\n');
      // Ended after a minute at the latest, so a client that never gives up cannot hold the server open.
      setTimeout(() => res.end(), 60_000).unref();
    } else {
      res.writeHead(rule.status ?? 200, { 'content-type': rule.contentType ?? 'text/html' }).end(req.method === 'HEAD' ? undefined : (rule.body ?? ''));
    }
    return true;
  }
}

function streamPlaylist(res: ServerResponse, bytes: number) {
  res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
  const line = `#EXTINF:5.0,\nhttps://rr1---sn-test.googlevideo.com/videoplayback/id/hls/sq/1/${'x'.repeat(180)}.ts\n`;
  let written = 0;
  const pump = () => {
    while (written < bytes) {
      written += line.length;
      if (!res.write(line)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('error', () => {});
  res.write('#EXTM3U\n');
  pump();
}

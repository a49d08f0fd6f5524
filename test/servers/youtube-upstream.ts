import { buffer } from 'node:stream/consumers';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invidiousAnswer, pipedAnswer } from './fallback-answers';
import { writeBytes } from './googlevideo-bytes';
import { HostileUpstream, type HostileRule } from './hostile-upstream';
import { loadPlayerAnswers, readExchange, seedOf, streamBytes } from './fixtures';
import { answerForClient, googlevideoRefusal, manifestRefusal, refusalForClient, sabrOnly } from './client-answers';
import { hlsAnswer, pathParams as manifestParams } from './googlevideo-hls';
import { DEFAULT_PLAYER_ID, hasPlayer, iframeApi, playerScript, playerWithTimestamp } from './player-scripts';
import { dataSyncIdOf, isPoTokenFor, userAgentTag } from './po-tokens';
import { describeRealMedia, realMediaPlaylist, type RealMedia } from './real-media';

/**
 * A test stand-in for YouTube: InnerTube (player, search, visitor_id), the
 * player script, googlevideo (bytes, ranges, HLS), and Invidious / Piped
 * instances. It replays the recorded answers and serves deterministic bytes.
 * Requests arrive through UPSTREAM_ORIGINS, so the original host is in
 * X-Forwarded-Host. Tests steer it through /__control/*.
 */
export type PlayerMode = 'ok' | 'bot_check' | 'http_403' | 'unplayable' | 'ciphered' | 'sabr_only' | 'plain';
// 'ok': what that client gets from YouTube now (client-answers.ts); 'plain': the recording as it is.

interface Call {
  host: string;
  method: string;
  path: string;
  videoId?: string;
  client?: string;
  query?: string;
  range?: string;
  bytes?: number;
  clen?: number;
  /** The deciphered signature and `n` a client sent, to check deciphering. */
  sig?: string;
  n?: string;
  /** Player request: context.client.clientVersion and the User-Agent header it came with. */
  clientVersion?: string;
  userAgent?: string;
  /** Player request: the signatureTimestamp sent, and whether a PO token came and was valid. */
  sts?: number;
  poToken?: 'valid' | 'invalid';
  /** googlevideo: why it answered 403, when it did. */
  refused?: string;
  /** Player request: the visitor data its session carried (context.client or X-Goog-Visitor-Id). */
  visitorData?: string;
  /** Player request: whether it came signed in (cookies and a SAPISIDHASH). */
  signedIn?: boolean;
  /** `1.1 yt-music-relay` when the request came through the egress relay. */
  via?: string;
}

const CHUNK_LIMIT = 10 * 1024 * 1024;
const HOUR = 3600;

export interface UpstreamOptions {
  /**
   * Answers a player request for any id it has no recording of with this
   * recording, so a benchmark can ask for as many distinct ids as it likes
   * (each a metadata-cache miss) without registering aliases first.
   */
  anyIdAs?: string;
}

export interface YouTubeUpstream {
  url: string;
  close(): Promise<void>;
  /** This (aliased) video's formats and HLS stream become real media (real-media.ts); `progressive` adds an itag 18. */
  useRealMedia(videoId: string, media: RealMedia, options?: { progressive?: boolean }): void;
}

export async function startYouTubeUpstream(port = 0, options: UpstreamOptions = {}): Promise<YouTubeUpstream> {
  const players = loadPlayerAnswers();
  const ciphered = readExchange('player-web-ciphered/iuevw6218F0.json').response.body;
  const visitor = readExchange('session/visitor_id.json').response.body;
  const search = {
    web: readExchange('search/web-videos.json').response.body,
    webNoMore: readExchange('search/web-randomquerynomorepages.json').response.body,
    musicSongs: readExchange('search/music-songs.json').response.body,
    musicCorrected: readExchange('search/music-corrected.json').response.body,
  };

  let calls: Call[] = [];
  // videoId → client name (or '*') → mode
  let scenarios = new Map<string, Map<string, PlayerMode>>();
  // googlevideo URLs (by `id`+`itag`) that answer 403 the next N times
  let expiredStreams = new Map<string, number>();
  // videoId → clients whose googlevideo URLs for that video are refused (403), however well formed
  let refusedClients = new Map<string, Set<string>>();
  // videoId → client → the step of its HLS stream googlevideo refuses (403): see HlsRefusalStep
  let hlsRefusals = new Map<string, Map<string, HlsRefusalStep>>();
  // test video id → recorded video id, so a test can steer "its own" video without disturbing others
  let aliases = new Map<string, string>();
  // video ids marked "made for kids": the clients YouTube keeps them from refuse them (client-answers.ts)
  let madeForKids = new Set<string>();
  // googlevideo's pace per response in bytes a second (0 = as fast as loopback goes), for benchmarks
  let bytesPerSecond = 0;
  // an aliased video's own pace (its media URLs carry `tv=<alias>`), for tests of slow media hosts
  let pacedVideos = new Map<string, number>();
  const hostile = new HostileUpstream();
  // the player iframe_api names, whose vectors cipher the TV / WEB_EMBEDDED answers
  let currentPlayer = DEFAULT_PLAYER_ID;
  // As YouTube keeps accepting the players it rolled out before, a request carrying an earlier
  // recorded player's signatureTimestamp is ciphered for that player, unless the test retired them.
  let onlyCurrentPlayer = false;
  // video id → the real media its formats and HLS stream serve (e2e playback tests)
  const realMedia = new Map<string, { media: RealMedia; progressive: boolean }>();
  /** The real media a googlevideo URL or manifest path names, by its alias marker (`tv=` or `<alias>.<recorded>` in `/id/` or `/src/`). */
  const realMediaOf = (marker: string | null | undefined) => (marker ? realMedia.get(marker.split('.')[0]!) : undefined);
  // player ids whose script the extraction cannot read (a structural change of the player)
  let brokenPlayers = new Set<string>();

  const server = createServer(async (req, res) => {
    try {
      await route(req, res);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://upstream.test');
    const host = String(req.headers['x-forwarded-host'] ?? 'direct');
    const body = await buffer(req);

    if (url.pathname.startsWith('/__control/')) return control(url.pathname, body, res);
    if (hostile.handle(req, url, host, res)) return;
    // A googlevideo-style hop, for the relay's test: it must hand redirects back, not follow them.
    if (url.pathname === '/__relay-redirect') return res.writeHead(302, { location: 'https://rr2---sn-test.googlevideo.com/videoplayback?redirected=1' }).end();

    if (req.method === 'POST' && url.pathname === '/youtubei/v1/player') {
      const request = JSON.parse(body.toString() || '{}');
      const videoId = String(request.videoId ?? '');
      const client = String(request.context?.client?.clientName ?? '');
      const sts = request.playbackContext?.contentPlaybackContext?.signatureTimestamp;
      const clientVersion = String(request.context?.client?.clientVersion ?? '');
      const poToken = request.serviceIntegrityDimensions?.poToken;
      // A player token is bound to the video.
      const pot = poToken ? (isPoTokenFor(poToken, videoId) ? 'valid' : 'invalid') : undefined;
      const userAgent = req.headers['user-agent'];
      // The session: the visitor data sent (body or header), else one YouTube makes up and answers with;
      // signed in, the account's data sync id. The GVS token must be bound to it.
      const sentVisitor = String(request.context?.client?.visitorData ?? req.headers['x-goog-visitor-id'] ?? '') || undefined;
      const visitorData = sentVisitor ?? `CgtNew${Math.random().toString(36).slice(2, 10)}`;
      const cookie = String(req.headers.cookie ?? '');
      const signedIn = Boolean(cookie && /SAPISIDHASH /.test(String(req.headers.authorization ?? '')));
      const dataSyncId = signedIn ? dataSyncIdOf(cookie) : undefined;
      calls.push({ host, method: 'POST', path: url.pathname, videoId, client, clientVersion, sts, poToken: pot, via: req.headers.via, visitorData: sentVisitor, userAgent, signedIn });
      const playerId = (!onlyCurrentPlayer && playerWithTimestamp(sts)) || currentPlayer;
      const session = { visitorData, dataSyncId };
      return player(videoId, client, res, { client, videoId, signatureTimestamp: sts, poToken, playerId, userAgent, clientVersion, gvsBinding: dataSyncId ?? visitorData }, session);
    }
    if (req.method === 'POST' && url.pathname === '/youtubei/v1/search') {
      const request = JSON.parse(body.toString() || '{}');
      const client = String(request.context?.client?.clientName ?? '');
      const query = String(request.query ?? '');
      calls.push({ host, method: 'POST', path: url.pathname, client, query });
      return json(res, 200, searchAnswer(client, query));
    }
    if (req.method === 'POST' && url.pathname === '/youtubei/v1/visitor_id') return json(res, 200, visitor);
    if (url.pathname === '/iframe_api') return text(res, 200, iframeApi(currentPlayer), 'text/javascript');
    if (url.pathname.startsWith('/s/player/') && url.pathname.endsWith('base.js')) {
      calls.push({ host, method: 'GET', path: url.pathname });
      const id = url.pathname.split('/')[3] ?? '';
      // A build whose structure the extraction does not know: a script, but no signature / n function in it.
      if (brokenPlayers.has(id)) return text(res, 200, 'var _yt_player={};(function(g){g.version="broken";})(_yt_player);', 'text/javascript');
      return hasPlayer(id) ? text(res, 200, playerScript(id), 'text/javascript') : text(res, 404, 'no such player', 'text/plain');
    }
    if (url.pathname.startsWith('/api/manifest/hls_')) {
      const step = url.pathname.startsWith('/api/manifest/hls_variant/') ? 'manifest' : 'variant';
      const refused =
        userAgentRefusal(manifestParams(url.pathname), req.headers['user-agent']) ?? manifestRefusal(url.pathname) ?? hlsRefusal(manifestParams(url.pathname), 'id', step) ?? undefined;
      calls.push({ host, method: 'GET', path: url.pathname, ...(refused ? { refused } : {}) });
      if (refused) return text(res, 403, refused, 'text/plain');
      const manifestId = pathParamsOf(url.pathname).get('id');
      const real = realMediaOf(manifestId);
      if (real) return text(res, 200, realHlsAnswer(url.pathname, manifestId!, real.media), 'application/vnd.apple.mpegurl');
      return text(res, 200, hlsAnswer(url.pathname), 'application/vnd.apple.mpegurl');
    }
    if (url.pathname.startsWith('/videoplayback')) return videoplayback(req, url, host, res);
    if (url.pathname.startsWith('/api/v1/videos/')) return invidious(url.pathname.split('/').pop()!, host, res);
    if (url.pathname.startsWith('/streams/')) return piped(url.pathname.split('/').pop()!, host, res);
    if (url.pathname.startsWith('/vi/')) return bytes(res, 200, streamBytes(7, 0, 2047), 'image/jpeg');
    calls.push({ host, method: req.method ?? 'GET', path: url.pathname });
    return text(res, 404, 'not found', 'text/plain');
  }

  function control(path: string, body: Buffer, res: ServerResponse) {
    const input = body.length ? JSON.parse(body.toString()) : {};
    if (path === '/__control/reset') {
      calls = [];
      scenarios = new Map();
      expiredStreams = new Map();
      refusedClients = new Map();
      hlsRefusals = new Map();
      aliases = new Map();
      madeForKids = new Set();
      bytesPerSecond = 0;
      pacedVideos = new Map();
      hostile.reset();
      currentPlayer = DEFAULT_PLAYER_ID;
      onlyCurrentPlayer = false;
      brokenPlayers = new Set();
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/broken-player') {
      if (!/^[0-9a-f]{8}$/.test(input.playerId ?? '')) return json(res, 400, { error: 'a player id is 8 hex digits' });
      brokenPlayers.add(input.playerId);
      if (input.current === true) currentPlayer = input.playerId;
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/player') {
      if (!hasPlayer(input.playerId)) return json(res, 400, { error: 'no such player fixture' });
      currentPlayer = input.playerId;
      onlyCurrentPlayer = input.retireOthers === true;
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/scenario') {
      const perClient = scenarios.get(input.videoId) ?? new Map<string, PlayerMode>();
      perClient.set(input.client ?? '*', input.mode);
      scenarios.set(input.videoId, perClient);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/made-for-kids') {
      madeForKids.add(input.videoId);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/alias') {
      aliases.set(input.videoId, input.recordedId);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/expire-stream') {
      // keyed by content length, which tells the formats of all recordings apart
      expiredStreams.set(String(input.clen), input.times ?? 1);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/refuse-client') {
      // googlevideo refuses this client's URLs of this video (a client YouTube no longer serves).
      const clients = refusedClients.get(input.videoId) ?? new Set<string>();
      clients.add(input.client);
      refusedClients.set(input.videoId, clients);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/refuse-client-hls') {
      if (!HLS_REFUSAL_STEPS.includes(input.step)) return json(res, 400, { error: `step is one of ${HLS_REFUSAL_STEPS.join(', ')}` });
      const steps = hlsRefusals.get(input.videoId) ?? new Map<string, HlsRefusalStep>();
      steps.set(input.client, input.step);
      hlsRefusals.set(input.videoId, steps);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/pace') {
      // With a videoId, only that (aliased) video's media is paced: test files share this upstream.
      if (input.videoId) pacedVideos.set(input.videoId, Number(input.bytesPerSecond) || 0);
      else bytesPerSecond = Number(input.bytesPerSecond) || 0;
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/calls') return json(res, 200, calls);
    if (path === '/__control/hostile') {
      hostile.add(input as HostileRule);
      return json(res, 200, { ok: true });
    }
    if (path === '/__control/internal-hits') return json(res, 200, hostile.internalHits);
    return json(res, 404, { error: 'unknown control' });
  }

  function player(videoId: string, client: string, res: ServerResponse, ask: Parameters<typeof answerForClient>[0], session: { visitorData: string; dataSyncId?: string }) {
    const mode = scenarios.get(videoId)?.get(client) ?? scenarios.get(videoId)?.get('*') ?? 'ok';
    if (mode === 'http_403') return json(res, 403, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } });
    if (mode === 'bot_check') {
      return json(res, 200, {
        playabilityStatus: { status: 'LOGIN_REQUIRED', reason: 'Sign in to confirm you’re not a bot' },
      });
    }
    if (mode === 'unplayable') {
      return json(res, 200, { playabilityStatus: { status: 'UNPLAYABLE', reason: 'This video is not available on this app.' } });
    }
    const refusal = refusalForClient(ask, madeForKids.has(videoId));
    if (refusal) return json(res, 200, refusal);
    if (mode === 'ciphered' || videoId === 'iuevw6218F0') return jsonText(res, 200, freshen(ciphered));
    const recordedId = aliases.get(videoId);
    const recorded = players.get(recordedId ?? videoId) ?? players.get(options.anyIdAs ?? 'don-t-exist');
    // An id YouTube has no video for: the answer every client gets for one (as recorded for `don-t-exist`).
    if (recorded === undefined) return json(res, 200, { playabilityStatus: { status: 'ERROR', reason: 'This video is unavailable' } });
    const text = markAlias(freshen(recorded), videoId, recordedId);
    if (mode === 'plain') return jsonText(res, 200, text);
    // The late-2026 behaviours rewrite a copy of the answer per client.
    const answer = JSON.parse(text);
    const real = realMedia.get(videoId);
    if (real) describeRealMedia(answer, real.media, { progressive: real.progressive });
    // The session YouTube saw, as its answers name it.
    answer.responseContext = {
      ...answer.responseContext,
      visitorData: session.visitorData,
      ...(session.dataSyncId ? { mainAppWebResponseContext: { datasyncId: session.dataSyncId } } : {}),
    };
    if (mode === 'sabr_only') return json(res, 200, sabrOnly(answer));
    return json(res, 200, answerForClient(ask, answer));
  }

  /** An aliased video's media URLs name the alias (`tv=`, and `/id/` in HLS), so a test can single out its own requests. */
  function markAlias(text: string, videoId: string, recordedId: string | undefined): string {
    if (!recordedId) return text;
    return text
      .replace(/\/videoplayback\?/g, `/videoplayback?tv=${videoId}&`)
      .replace(/("hlsManifestUrl":"[^"]*?\/id\/)([^/"]+)\//, `$1${videoId}.$2/`);
  }

  // One freshened text per recording and minute: a benchmark's thousands of misses do not each re-serialise it here.
  const freshened = new WeakMap<object, { minute: number; text: string }>();
  /** A recorded answer's JSON with its expiry moved into the future, as a fresh answer would have it. */
  function freshen(answer: any): string {
    const minute = Math.floor(Date.now() / 60_000);
    const known = freshened.get(answer);
    if (known?.minute === minute) return known.text;
    const expire = Math.floor(Date.now() / 1000) + 6 * HOUR;
    const text = JSON.stringify(answer)
      .replace(/expire=\d+/g, `expire=${expire}`)
      .replace(/expire%3D\d+/g, `expire%3D${expire}`)
      .replace(/\/expire\/\d+\//g, `/expire/${expire}/`);
    freshened.set(answer, { minute, text });
    return text;
  }

  function searchAnswer(client: string, query: string) {
    if (client === 'WEB_REMIX') return /no copyrigh/i.test(query) ? search.musicCorrected : search.musicSongs;
    return /UCO6AK/i.test(query) ? search.webNoMore : search.web;
  }

  function videoplayback(req: IncomingMessage, url: URL, host: string, res: ServerResponse) {
    const params = url.searchParams;
    const pathParams = pathParamsOf(url.pathname);
    const itag = params.get('itag') ?? pathParams.get('itag') ?? '0';
    const id = params.get('id') ?? pathParams.get('id') ?? 'none';
    // HLS segments (`/sq/<n>/`) differ from each other, so a join out of order shows.
    const sq = pathParams.get('sq');
    const real = realMediaOf(params.get('tv') ?? pathParams.get('src'));
    const realBytes = real ? (sq ? real.media.hls[Number(sq) - 1]?.bytes : real.media.files[Number(itag)]) : undefined;
    const length = realBytes?.length ?? Number(params.get('clen') ?? pathParams.get('clen') ?? 188 * 1000);
    const seed = seedOf(sq ? `${itag}:${length}:sq${sq}` : `${itag}:${length}`);
    const rangeParam = params.get('range');
    const rangeHeader = req.headers.range;
    const call: Call = { host, method: req.method ?? 'GET', path: url.pathname, videoId: id, range: rangeParam ?? rangeHeader, clen: length, sig: params.get('sig') ?? params.get('signature') ?? undefined, n: params.get('n') ?? undefined, via: req.headers.via };
    calls.push(call);

    const left = expiredStreams.get(String(length));
    if (left) {
      expiredStreams.set(String(length), left - 1);
      return text(res, 403, 'expired', 'text/plain');
    }
    if (!/googlevideo\.com$|^piped|^invidious/.test(host.split(':')[0]!)) return text(res, 421, 'wrong host', 'text/plain');
    const expire = Number(params.get('expire') ?? 0);
    if (expire && expire * 1000 < Date.now()) return text(res, 403, 'url expired', 'text/plain');
    const refusedFor = refusedClients.get(params.get('xt_video') ?? '');
    const refusal =
      (refusedFor?.has(params.get('xt_client') ?? '') ? `${params.get('xt_client')} URLs of this video are refused` : null) ??
      googlevideoRefusal(params, req.headers['user-agent']) ??
      userAgentRefusal(pathParams, req.headers['user-agent']) ??
      (sq ? hlsRefusal(pathParams, 'src', Number(sq) === 1 ? 'segment' : 'later-segment') : null);
    if (refusal) {
      call.refused = refusal;
      return text(res, 403, refusal, 'text/plain');
    }

    let start = 0;
    let end = length - 1;
    const spec = rangeParam ?? rangeHeader?.replace(/^bytes=/, '');
    if (spec) {
      const match = /^(\d+)-(\d*)$/.exec(spec);
      if (!match) return text(res, 400, 'bad range', 'text/plain');
      start = Number(match[1]);
      end = match[2] ? Math.min(Number(match[2]), length - 1) : length - 1;
      if (start >= length) return text(res, 416, 'range', 'text/plain');
    }
    // Real googlevideo throttles large requests; this one refuses them so a test notices.
    if (end - start + 1 > CHUNK_LIMIT) return text(res, 403, 'range too large', 'text/plain');
    call.bytes = end - start + 1;
    const headers: Record<string, string> = { 'content-type': mimeOf(itag), 'content-length': String(end - start + 1) };
    if (rangeHeader) headers['content-range'] = `bytes ${start}-${end}/${length}`;
    res.writeHead(rangeHeader ? 206 : 200, headers);
    if (req.method === 'HEAD') return res.end();
    if (realBytes) return void res.end(realBytes.subarray(start, end + 1));
    writeBytes(res, seed, start, end, length, pacedVideos.get(params.get('tv') ?? '') ?? bytesPerSecond);
  }

  /** googlevideo refusing one client's HLS stream from this step on (a later segment's refusal spares the first). */
  function hlsRefusal(params: Map<string, string>, idParam: 'id' | 'src', step: 'manifest' | 'variant' | 'segment' | 'later-segment'): string | null {
    const client = params.get('xt_client');
    const videoId = params.get(idParam)?.split('.')[0];
    if (!client || !videoId) return null;
    const refusedFrom = hlsRefusals.get(videoId)?.get(client);
    if (!refusedFrom) return null;
    const order = HLS_REFUSAL_STEPS.indexOf(refusedFrom);
    const at = step === 'later-segment' ? HLS_REFUSAL_STEPS.indexOf('later-segment') : HLS_REFUSAL_STEPS.indexOf(step);
    return at >= order ? `${client} HLS of this video is refused from its ${refusedFrom} on` : null;
  }

  function invidious(videoId: string, host: string, res: ServerResponse) {
    calls.push({ host, method: 'GET', path: `/api/v1/videos/${videoId}`, videoId });
    const answer = players.get(aliases.get(videoId) ?? videoId);
    if (!answer?.streamingData) return json(res, 404, { error: 'Video unavailable' });
    return json(res, 200, invidiousAnswer(answer, videoId, host));
  }

  function piped(videoId: string, host: string, res: ServerResponse) {
    calls.push({ host, method: 'GET', path: `/streams/${videoId}`, videoId });
    const answer = players.get(aliases.get(videoId) ?? videoId);
    if (!answer?.streamingData) return json(res, 500, { error: 'Video unavailable', message: 'Video unavailable' });
    return json(res, 200, pipedAnswer(answer, videoId, host));
  }

  /** A real-media manifest: the variant playlist names one rendition, whose playlist names the real segments. */
  function realHlsAnswer(pathname: string, manifestId: string, media: RealMedia): string {
    if (pathname.startsWith('/api/manifest/hls_variant/')) {
      return ['#EXTM3U', '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="avc1.42c00d,mp4a.40.2",RESOLUTION=320x240',
        `https://manifest.googlevideo.com/api/manifest/hls_playlist/id/${manifestId}/itag/95/index.m3u8`, ''].join('\n');
    }
    return realMediaPlaylist(media, (sq, size) => `/videoplayback/id/hls/src/${manifestId}/itag/95/clen/${size}/sq/${sq}/file/seg.ts`);
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    useRealMedia: (videoId, media, mediaOptions = {}) => void realMedia.set(videoId, { media, progressive: mediaOptions.progressive ?? false }),
  };
}

/**
 * Where googlevideo starts refusing a client's HLS stream: its manifest, its variant playlists, every
 * segment, or only the segments after the first (a refusal after bytes went out).
 */
export type HlsRefusalStep = 'manifest' | 'variant' | 'segment' | 'later-segment';
const HLS_REFUSAL_STEPS: HlsRefusalStep[] = ['manifest', 'variant', 'segment', 'later-segment'];

/** An HLS playlist or segment whose path names its player request's User-Agent, fetched with another. */
function userAgentRefusal(params: Map<string, string>, userAgent: string | undefined): string | null {
  const tag = params.get('xt_ua');
  return tag && tag !== userAgentTag(userAgent) ? 'fetched with another User-Agent than its player request' : null;
}

function pathParamsOf(pathname: string): Map<string, string> {
  const parts = pathname.split('/').filter(Boolean);
  const map = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) map.set(parts[i]!, decodeURIComponent(parts[i + 1]!));
  return map;
}

function mimeOf(itag: string): string {
  if (itag === '251' || itag === '250' || itag === '249') return 'audio/webm';
  if (itag === '140' || itag === '139') return 'audio/mp4';
  if (itag === '92' || itag === '95') return 'video/mp2t';
  return 'video/mp4';
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(value));
}

function jsonText(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(body);
}

function text(res: ServerResponse, status: number, body: string, type: string) {
  res.writeHead(status, { 'content-type': type }).end(body);
}

function bytes(res: ServerResponse, status: number, body: Uint8Array, type: string) {
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length) }).end(body);
}

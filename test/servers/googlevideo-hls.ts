/**
 * The test googlevideo's HLS playlists (the recordings name a manifest but hold none):
 * a variant playlist of two renditions, each a two-segment media playlist.
 */
export function hlsAnswer(pathname: string): string {
  const params = pathParams(pathname);
  // The player request's User-Agent tag rides along to every playlist and segment, as googlevideo checks it.
  // The minting client rides along too, so googlevideo can refuse one client's playlists or segments.
  const ua = (params.get('xt_client') ? `/xt_client/${params.get('xt_client')}` : '') + (params.get('xt_ua') ? `/xt_ua/${params.get('xt_ua')}` : '');
  if (pathname.startsWith('/api/manifest/hls_variant/')) {
    const base = `https://manifest.googlevideo.com/api/manifest/hls_playlist/id/${params.get('id') ?? 'x'}${ua}`;
    return [
      '#EXTM3U',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=1500000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720',
      `${base}/itag/95/index.m3u8`,
      '#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.4d4015,mp4a.40.2",RESOLUTION=426x240',
      `${base}/itag/92/index.m3u8`,
      '',
    ].join('\n');
  }
  const itag = params.get('itag') ?? '0';
  // The playlist's video id rides along (`src/`), so a test can single out its own segments.
  const path = (n: number) => `/videoplayback/id/hls/src/${params.get('id') ?? 'x'}/itag/${itag}/clen/${188 * 1000}/sq/${n}${ua}/file/seg.ts`;
  return [
    '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:5', '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXTINF:5.0,', `https://rr1---sn-test.googlevideo.com${path(1)}`, '#EXTINF:5.0,', path(2), '',
  ].join('\n');
}

export function pathParams(pathname: string): Map<string, string> {
  const parts = pathname.split('/').filter(Boolean);
  const map = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) map.set(parts[i]!, decodeURIComponent(parts[i + 1]!));
  return map;
}

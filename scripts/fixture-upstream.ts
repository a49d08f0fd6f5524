// `npm run upstream:fixtures`: serves the recorded YouTube answers (and googlevideo
// bytes) on loopback, for trying the service on a machine without YouTube.
import { startYouTubeUpstream } from '../test/servers/youtube-upstream';

const upstream = await startYouTubeUpstream(Number(process.env.UPSTREAM_PORT ?? 9100));
const origins = Object.fromEntries(
  ['www.youtube.com', 'm.youtube.com', 'music.youtube.com', 'youtubei.googleapis.com', '*.googlevideo.com', '*.ytimg.com'].map((host) => [host, upstream.url]),
);
console.log(`Recorded YouTube answers on ${upstream.url}. Start the service against it with:\n`);
console.log(`  UPSTREAM_ORIGINS='${JSON.stringify(origins)}' npm start\n`);
console.log('Recorded videos: M4gD1WSo5mA, T4XJQO3qol8, cJ9to6EmElQ, tjz2u2DiveM, An8vtD1FDqs, kX3nB4PpJko (live: X4VbdwhkE10).');

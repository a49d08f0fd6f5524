import type { AddressInfo } from 'node:net';
import { createRelayServer } from '../../relay/relay-server';

/** The real relay program's server, forwarding every YouTube host to the test stand-in (RELAY_UPSTREAM_ORIGINS). */
export async function startTestRelay(youtubeUrl: string): Promise<{ url: string; secret: string; close(): Promise<void> }> {
  const secret = 'test-relay-secret-0123456789';
  const server = createRelayServer({
    secret,
    upstreamOrigins: {
      'www.youtube.com': youtubeUrl,
      'm.youtube.com': youtubeUrl,
      'music.youtube.com': youtubeUrl,
      'youtubei.googleapis.com': youtubeUrl,
      '*.googlevideo.com': youtubeUrl,
      '*.ytimg.com': youtubeUrl,
    },
    log: () => {},
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

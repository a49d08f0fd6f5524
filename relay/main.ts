import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { positiveInt, upstreamOrigins } from '../workers/core/src/settings';
import { createRelayServer } from './relay-server';

/**
 * `npm run relay`: the egress relay, configured from the environment, failing
 * fast on a bad value. Run it on a machine whose IP YouTube does not bot-check.
 */
const RelaySettings = z.object({
  RELAY_SECRET: z.string({ error: 'is required' }).min(16, 'must be at least 16 characters'),
  RELAY_PORT: positiveInt.max(65_535).default(8790),
  RELAY_HOST: z.string().default('0.0.0.0'),
  RELAY_UPSTREAM_ORIGINS: upstreamOrigins.default({}),
  RELAY_TIMEOUT_MS: positiveInt.default(30_000),
  RELAY_TLS_CERT_FILE: z.string().optional(),
  RELAY_TLS_KEY_FILE: z.string().optional(),
});

const raw = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => name.startsWith('RELAY_') && value !== ''));
const parsed = RelaySettings.safeParse(raw);
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  console.error(`Setting ${String(issue.path[0])} ${issue.message}.`);
  process.exit(1);
}
const settings = parsed.data;
if (Boolean(settings.RELAY_TLS_CERT_FILE) !== Boolean(settings.RELAY_TLS_KEY_FILE)) {
  console.error('Setting RELAY_TLS_CERT_FILE and RELAY_TLS_KEY_FILE go together.');
  process.exit(1);
}
const tls = settings.RELAY_TLS_CERT_FILE
  ? { cert: readFileSync(settings.RELAY_TLS_CERT_FILE), key: readFileSync(settings.RELAY_TLS_KEY_FILE!) }
  : undefined;
const server = createRelayServer({
  secret: settings.RELAY_SECRET,
  upstreamOrigins: settings.RELAY_UPSTREAM_ORIGINS,
  timeoutMs: settings.RELAY_TIMEOUT_MS,
  ...(tls ? { tls } : {}),
  version: process.env.npm_package_version,
});
server.listen(settings.RELAY_PORT, settings.RELAY_HOST, () => {
  console.log(JSON.stringify({ event: 'relay.listening', host: settings.RELAY_HOST, port: settings.RELAY_PORT, tls: Boolean(tls) }));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));

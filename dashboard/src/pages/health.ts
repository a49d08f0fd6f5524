// Health: the "YouTube clients" panel (each InnerTube client's state over the last hour, as the
// API's colo sees it) and the services behind the API, from GET /health?deep=true; and the client
// table in force (versions, user agents, overrides: GET /admin/youtube/clients).
import { api } from '../api';
import { card, errorAlert, h, icon, replaceChildren, spinner, statusBadge } from '../dom';
import { formatMs, formatNumber, formatPercent, formatRelative } from '../format';
import type { ClientHealth, ClientTableView, DeepHealth, Reachability } from '../types';
import { pageHeader, type Page } from './page';

export function healthPage(): Page {
  const alerts = h('div');
  const clients = h('div', {}, spinner());
  const services = h('div', {}, spinner());
  const status = h('span', { 'data-testid': 'health-status' });
  const table = h('div', {}, spinner());
  const checked = h('small', { class: 'text-secondary' });
  const element = h('div', { 'data-page': 'health' },
    pageHeader('Health', status), alerts,
    h('div', { class: 'row g-3' },
      h('div', { class: 'col-12 col-xl-8' }, card('YouTube clients', 'tower-broadcast', clients, h('small', { class: 'text-secondary' }, 'last hour, in the order tried'))),
      h('div', { class: 'col-12 col-xl-4' }, card('Services', 'server', services)),
      h('div', { class: 'col-12' }, card('Client table', 'table-list', table, checked))));

  async function refresh(): Promise<void> {
    try {
      const health = await api.deepHealth();
      replaceChildren(alerts, cacheApiNotice(health));
      replaceChildren(status, h('span', { class: `badge text-bg-${health.status === 'ok' ? 'success' : 'warning'}`, 'data-status': health.status }, health.status));
      replaceChildren(clients, clientsTable(health.youtube.clients));
      replaceChildren(services, servicesList(health));
    } catch (error) {
      replaceChildren(alerts, errorAlert(error));
    }
    try {
      const view = await api.youtubeClients();
      replaceChildren(checked, `checked against yt-dlp on ${view.checked_on}`);
      replaceChildren(table, clientTableView(view));
    } catch (error) {
      replaceChildren(table, errorAlert(error));
    }
  }

  void refresh();
  return { element, refresh };
}

export function clientsTable(items: ClientHealth[]): HTMLElement {
  return h('div', { class: 'table-responsive' },
    h('table', { class: 'table table-sm align-middle mb-0 small', 'data-testid': 'clients-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'Client'), h('th', {}, 'State'), h('th', { class: 'text-end' }, 'Attempts (1 h)'), h('th', { class: 'text-end' }, 'Success (1 h)'),
        h('th', {}, 'Last success'), h('th', {}, 'Last failure'), h('th', { class: 'text-end', title: 'failures in a row (player or googlevideo)' }, 'In a row'))),
      h('tbody', {}, ...items.map((client, index) => h('tr', { 'data-client': client.name, 'data-state': client.state },
        h('td', { class: 'font-monospace' }, client.name, index === 0 ? h('span', { class: 'text-secondary ms-1' }, '(first choice)') : null),
        h('td', {}, statusBadge(client.state),
          client.state === 'cooling_off' && client.cooling_off_until ? h('div', { class: 'text-secondary' }, `back ${formatRelative(client.cooling_off_until)}`) : null),
        h('td', { class: 'text-end font-monospace' }, formatNumber(client.attempts_1h)),
        h('td', { class: 'text-end font-monospace' }, formatPercent(client.success_rate_1h)),
        h('td', { class: 'text-nowrap' }, formatRelative(client.last_success_at)),
        h('td', {}, client.last_failure
          ? h('span', {}, h('span', { class: 'font-monospace text-danger', 'data-field': 'failure_code' }, client.last_failure.code), ' ', h('span', { class: 'text-secondary' }, formatRelative(client.last_failure.at)))
          : '—'),
        h('td', { class: 'text-end font-monospace', 'data-field': 'consecutive_failures', title: consecutiveTitle(client) }, formatNumber(client.consecutive_failures ?? 0)))))));
}

function consecutiveTitle(client: ClientHealth): string {
  const by = client.consecutive_failures_by_source;
  return by ? `player ${by.player} · googlevideo ${by.googlevideo}` : '';
}

/** Each client's version and user agent in force; overridden fields say from where, by whom and when. */
export function clientTableView(view: ClientTableView): HTMLElement {
  const overridden = (entry: ClientTableView['clients'][number]) => entry.overrides.length === 0
    ? h('span', { class: 'text-secondary' }, 'built-in')
    : h('ul', { class: 'list-unstyled mb-0' }, ...entry.overrides.map((override) => h('li', { 'data-override': override.field },
      h('span', { class: 'font-monospace' }, `${override.field} = ${JSON.stringify(override.value)}`), ' ',
      h('span', { class: 'text-secondary' }, override.from === 'admin' ? `by ${override.changed_by ?? '?'} ${formatRelative(override.changed_at)}` : 'YOUTUBE_CLIENT_OVERRIDES'))));
  return h('div', { class: 'table-responsive' },
    h('table', { class: 'table table-sm align-middle mb-0 small', 'data-testid': 'client-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Client'), h('th', {}, 'InnerTube'), h('th', {}, 'Version'), h('th', {}, 'User agent'), h('th', {}, 'Overrides'))),
      h('tbody', {}, ...view.clients.map((entry) => h('tr', { 'data-client': entry.name, class: entry.in_chain ? '' : 'text-secondary' },
        h('td', { class: 'font-monospace' }, entry.name, entry.in_chain ? null : h('span', { class: 'ms-1' }, '(not in chain)')),
        h('td', { class: 'font-monospace' }, entry.client_name),
        h('td', { class: 'font-monospace', 'data-field': 'client_version' }, entry.client_version,
          entry.client_version !== entry.built_in_version ? h('div', { class: 'text-secondary' }, `built-in ${entry.built_in_version}`) : null),
        h('td', { class: 'font-monospace text-break', style: 'max-width: 28rem' }, entry.user_agent),
        h('td', {}, overridden(entry)))))));
}

/** Said plainly: without the Cache API every cache falls back to its other tiers (docs/deploying.md). */
export function cacheApiNotice(health: DeepHealth): HTMLElement | null {
  if (health.cache_api !== 'off') return null;
  const why = health.cache_api_setting === 'off'
    ? 'the Cache API is off: CACHE_API=off is set, as a Worker on a workers.dev address has it. '
    : 'the Cache API is off: this Worker is on a workers.dev address; add a custom domain — see docs/deploying.md. ';
  const tiers = Object.entries(health.caches ?? {}).map(([name, tier]) => `${name}: ${tier}`).join(', ');
  return h('div', { class: 'alert alert-info d-flex gap-2 align-items-start', role: 'status', 'data-testid': 'cache-api-off' },
    icon('circle-info', 'mt-1'),
    h('div', {}, h('strong', {}, 'Caches: '), why, tiers ? `Caches now: ${tiers}.` : ''));
}

/** D1's size against its cap: a full database refuses every write, logs, keys and cache records alike. */
function storeSize(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  const megabytes = bytes / 1e6;
  return ` · ${megabytes < 10 ? megabytes.toFixed(1) : Math.round(megabytes).toLocaleString('en-US')} MB of D1's 10 GB (500 MB on the Free plan)`;
}

const QUEUE_LABELS: Record<string, string> = { log_queue: 'Request-log queue', cache_queue: 'Cache-job queue' };

function servicesList(health: DeepHealth): HTMLElement {
  const row = (label: string, good: boolean | null, note: string, id: string) => h('li', { class: 'list-group-item d-flex align-items-center gap-2', 'data-service': id },
    icon(good === null ? 'circle-minus' : good ? 'circle-check' : 'circle-xmark', good === null ? 'text-secondary' : good ? 'text-success' : 'text-danger'),
    h('span', { class: 'me-auto' }, label), h('small', { class: 'text-secondary' }, note));
  const reach = (value: Reachability) => (value.configured ? value.reachable : null);
  const reachNote = (value: Reachability) => (!value.configured ? 'not configured' : value.reachable ? 'reachable' : 'unreachable');
  const queues = Object.entries(health.queues);
  return h('ul', { class: 'list-group list-group-flush' },
    row('Metadata store', health.store.ok, health.store.ok ? `${health.store.backend ?? ''} · ${formatMs(health.store.latency_ms)}${storeSize(health.store.size_bytes)}` : (health.store.error ?? 'down'), 'store'),
    row('PO token provider', reach(health.youtube.po_token_provider), reachNote(health.youtube.po_token_provider), 'po_token_provider'),
    row('Egress relay', reach(health.youtube.relay), reachNote(health.youtube.relay), 'relay'),
    row('Cache consumer', health.consumer.bound ? health.consumer.reachable : null,
      !health.consumer.bound ? 'not bound' : !health.consumer.reachable ? 'unreachable' : health.consumer.caching ? 'caching on' : 'caching off (no bot token)', 'consumer'),
    ...queues.map(([name, queue]) => row(QUEUE_LABELS[name] ?? name, queue.bound ? true : null, queue.bound ? 'bound' : 'not bound', name)),
    ...(health.cache_api ? [row('Cache API', health.cache_api === 'on', health.cache_api === 'on' ? 'keeps entries' : 'off (no-op)', 'cache_api')] : []));
}

/** The overview's warning: the first client every resolve tries is failing or set aside. */
export function firstChoiceWarning(health: DeepHealth): HTMLElement | null {
  const first = health.youtube.clients[0];
  if (!first || (first.state !== 'failing' && first.state !== 'cooling_off')) return null;
  const next = health.youtube.clients.find((client) => client.state === 'ok') ?? health.youtube.clients.find((client) => client.state === 'unused');
  const why = first.last_failure ? ` (last: ${first.last_failure.code})` : '';
  const what = first.state === 'cooling_off' ? 'is set aside after failing repeatedly' : 'is failing';
  return h('div', { class: 'alert alert-warning d-flex gap-2 align-items-start', role: 'alert', 'data-testid': 'client-warning' },
    icon('triangle-exclamation', 'mt-1'),
    h('div', {},
      h('strong', { class: 'd-block' }, `YouTube client ${first.name} ${what}${why}`),
      next ? `Resolves go through ${next.name} meanwhile. ` : 'No other client is answering: resolves depend on the fallback instances. ',
      h('a', { href: '#/health', class: 'alert-link' }, 'See the YouTube clients')));
}

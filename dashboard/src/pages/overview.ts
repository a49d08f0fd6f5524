// Overview: headline numbers against the period before, and the usage charts.
import { api } from '../api';
import { barChart, ChartCard, COLOURS, lineChart } from '../charts';
import { errorAlert, h, icon, replaceChildren } from '../dom';
import { delta, formatMs, formatNumber, formatPercent, type Delta } from '../format';
import { alignDown, DAY_MS, fillBuckets, hitRatio, HOUR_MS, IST_DAY_OFFSET_MS, IST_HOUR_OFFSET_MS } from '../timeseries';
import { BOOTSTRAP_ADMIN_KEY_ID, type Bucket, type EndpointStat, type Overview } from '../types';
import { firstChoiceWarning } from './health';
import { pageHeader, type Page } from './page';

type Range = '24h' | '30d';
let range: Range = '24h'; // kept across visits to the page

export function overviewPage(): Page {
  const alerts = h('div');
  const clientWarning = h('div');
  const cards = h('div', { class: 'row g-3 mb-3', 'data-testid': 'stat-cards' });
  const welcome = h('div');
  const sampling = h('div');
  const noData = { title: 'No requests yet', message: 'Charts fill in as soon as clients call the API.' };
  const charts = {
    requests: new ChartCard('requests', 'Requests over time', 'chart-line', noData),
    statuses: new ChartCard('statuses', 'Status classes', 'layer-group', noData),
    endpoints: new ChartCard('endpoints', 'Requests per endpoint', 'route', noData),
    topKeys: new ChartCard('top-keys', 'Top keys', 'key', { title: 'No keyed requests yet', message: 'Keys appear here once they are used.' }),
    cache: new ChartCard('cache', 'Cache hits and misses', 'database', { title: 'No cache lookups yet', message: 'Hits and misses show once tracks are requested.' }),
    latency: new ChartCard('latency', 'Response time p50 / p95', 'stopwatch', noData),
  };
  const rangeButtons = h('div', { class: 'btn-group', role: 'group', 'aria-label': 'Time range' });
  const renderRangeButtons = () => replaceChildren(rangeButtons,
    ...(['24h', '30d'] as const).map((value) => h('button', {
      type: 'button', class: `btn btn-sm ${range === value ? 'btn-primary' : 'btn-outline-primary'}`, 'data-range': value,
      'aria-pressed': String(range === value),
      onclick: () => { range = value; renderRangeButtons(); void refresh(); },
    }, value === '24h' ? 'Last 24 h (hourly)' : 'Last 30 days (daily)')));
  renderRangeButtons();

  const col = (classes: string, chart: ChartCard) => h('div', { class: classes }, chart.element);
  const element = h('div', { 'data-page': 'overview' },
    pageHeader('Overview', rangeButtons), alerts, clientWarning, sampling, cards, welcome,
    h('div', { class: 'row g-3' },
      col('col-12 col-xl-8', charts.requests), col('col-12 col-xl-4', charts.statuses),
      col('col-12 col-lg-6', charts.endpoints), col('col-12 col-lg-6', charts.topKeys),
      col('col-12 col-lg-6', charts.cache), col('col-12 col-lg-6', charts.latency)));

  let generation = 0;
  async function refresh(): Promise<void> {
    // A range switch during an auto-refresh: only the latest request may draw.
    const current = ++generation;
    const now = Date.now();
    // The last 48 hours hourly feed the 24 h charts and the cache card's comparison.
    const hourFrom = alignDown(now, HOUR_MS, IST_HOUR_OFFSET_MS) - 47 * HOUR_MS;
    const dayFrom = alignDown(now, DAY_MS, IST_DAY_OFFSET_MS) - 29 * DAY_MS;
    const rangeFrom = range === '24h' ? now - 24 * HOUR_MS : dayFrom;
    // The first-choice client's state: a warning when it fails; a failed check only leaves it as it was.
    void api.deepHealth().then((health) => {
      if (current === generation) replaceChildren(clientWarning, firstChoiceWarning(health));
    }, () => {});
    const [overview, hourly, daily, endpoints, topKeys] = await Promise.allSettled([
      api.overview(),
      api.timeseries('hour', new Date(hourFrom), new Date(now)),
      range === '30d' ? api.timeseries('day', new Date(dayFrom), new Date(now)) : Promise.resolve(null),
      api.endpoints(new Date(rangeFrom), new Date(now)),
      api.topKeys(new Date(rangeFrom), new Date(now), 10),
    ]);
    if (current !== generation) return;
    const failures = [overview, hourly, daily, endpoints, topKeys].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // One alert per distinct message: five calls failing for one reason say it once.
    const messages = new Map(failures.map((f) => [String((f.reason as Error)?.message ?? f.reason), f.reason]));
    replaceChildren(alerts, ...[...messages.values()].map(errorAlert));

    const hourBuckets = hourly.status === 'fulfilled' ? fillBuckets(hourly.value.buckets, hourFrom, now, HOUR_MS, IST_HOUR_OFFSET_MS) : null;
    if (overview.status === 'fulfilled') {
      renderCards(cards, overview.value, hourBuckets);
      replaceChildren(welcome, overview.value.requests.total === 0 ? welcomeCard() : null);
      replaceChildren(sampling, samplingNotice(overview.value.logging?.sample_one_in ?? 1));
    }

    const buckets = range === '24h'
      ? hourBuckets?.slice(-24) ?? null
      : daily.status === 'fulfilled' && daily.value ? fillBuckets(daily.value.buckets, dayFrom, now, DAY_MS, IST_DAY_OFFSET_MS) : null;
    if (buckets) renderTimeCharts(buckets, range === '24h' ? 'hour' : 'day');
    if (endpoints.status === 'fulfilled') {
      const items = [...endpoints.value.items].sort((a, b) => b.total - a.total).slice(0, 12);
      const clientErrors = (i: EndpointStat) => i.status_4xx ?? 0;
      charts.endpoints.show(barChart(items.map((i) => i.endpoint), [
        { label: 'OK', data: items.map((i) => i.total - i.errors - clientErrors(i)), colour: COLOURS.green },
        ...(items.some((i) => i.status_4xx !== undefined) ? [{ label: '4xx', data: items.map(clientErrors), colour: COLOURS.yellow }] : []),
        { label: '5xx', data: items.map((i) => i.errors), colour: COLOURS.red },
      ], { stacked: true, horizontal: true }));
    }
    if (topKeys.status === 'fulfilled') {
      const items = topKeys.value.items;
      charts.topKeys.show(barChart(items.map((i) => keyLabel(i.key_id, i.name)), [
        { label: 'Requests', data: items.map((i) => i.total), colour: COLOURS.violet },
      ], { horizontal: true }));
    }
  }

  function renderTimeCharts(buckets: Bucket[], granularity: 'hour' | 'day'): void {
    // The labels are the buckets' own starts (the charts format them), so what is drawn where is the API's word.
    const labels = buckets.map((b) => b.start);
    const time = { granularity };
    charts.requests.show(lineChart(labels, [{ label: 'Requests', data: buckets.map((b) => b.total), colour: COLOURS.blue }], { fill: true, time }));
    charts.statuses.show(barChart(labels, [
      { label: '2xx', data: buckets.map((b) => b.status_2xx), colour: COLOURS.green },
      { label: '3xx', data: buckets.map((b) => b.status_3xx), colour: COLOURS.cyan },
      { label: '4xx', data: buckets.map((b) => b.status_4xx), colour: COLOURS.yellow },
      { label: '5xx', data: buckets.map((b) => b.status_5xx), colour: COLOURS.red },
    ], { stacked: true, time }));
    charts.cache.show(barChart(labels, [
      { label: 'Hits', data: buckets.map((b) => b.cache_hits), colour: COLOURS.green },
      { label: 'Misses', data: buckets.map((b) => b.cache_misses), colour: COLOURS.orange },
    ], { stacked: true, time }));
    charts.latency.show(lineChart(labels, [
      { label: 'p50', data: buckets.map((b) => b.p50), colour: COLOURS.cyan },
      { label: 'p95', data: buckets.map((b) => b.p95), colour: COLOURS.orange },
    ], { unit: 'ms', time }));
  }

  return {
    element,
    refresh,
    dispose: () => Object.values(charts).forEach((chart) => chart.destroy()),
  };
}

function renderCards(container: HTMLElement, o: Overview, hourly: Bucket[] | null): void {
  const cacheNow = hourly ? hitRatio(hourly.slice(-24)) : null;
  const cachePrev = hourly ? hitRatio(hourly.slice(0, -24)) : null;
  replaceChildren(container,
    statCard('requests_today', 'Requests today', 'calendar-day', formatNumber(o.requests.today), delta(o.requests.today, o.requests.yesterday), 'vs yesterday'),
    statCard('requests_week', 'Requests this week', 'calendar-week', formatNumber(o.requests.this_week), delta(o.requests.this_week, o.requests.last_week), 'vs last week'),
    statCard('keys_active', 'Active keys', 'key', formatNumber(o.keys.active), null, `${formatNumber(o.keys.revoked)} deactivated`),
    statCard('keys_expired', 'Expired keys', 'hourglass-end', formatNumber(o.keys.expired), null, 'past their expiry date'),
    statCard('keys_total', 'Total keys', 'users', formatNumber(o.keys.total), null, `${formatNumber(o.requests.total)} requests all time`),
    statCard('error_rate', 'Error rate (5xx)', 'triangle-exclamation', formatPercent(o.error_rate.current),
      delta(o.error_rate.current, o.error_rate.previous, { ratio: true, higherIsBetter: false }),
      `vs the 24 h before${o.error_rate.client_current != null ? ` · 4xx ${formatPercent(o.error_rate.client_current)}` : ''}`),
    statCard('cache_hit_ratio', 'Cache hit ratio', 'bolt', formatPercent(o.cache.hit_ratio),
      delta(cacheNow, cachePrev, { ratio: true }), o.cache.hit_ratio === null ? 'no cache lookups yet' : 'vs the 24 h before'),
    statCard('latency_p95', 'p95 response time', 'stopwatch', formatMs(o.latency.p95),
      delta(o.latency.p95, o.latency.previous_p95, { higherIsBetter: false }), `vs the 24 h before · p50 ${formatMs(o.latency.p50)}`));
}

/** The request log keeps one request in N (LOG_SAMPLE_ONE_IN): the figures below are estimates. */
function samplingNotice(oneIn: number): HTMLElement | null {
  if (oneIn <= 1) return null;
  return h('div', { class: 'alert alert-info d-flex gap-2 align-items-start', role: 'status', 'data-testid': 'log-sampling' },
    icon('circle-info', 'mt-1'),
    h('div', {}, h('strong', {}, 'Sampled: '),
      `one request in ${formatNumber(oneIn)} is logged (LOG_SAMPLE_ONE_IN), counted ${formatNumber(oneIn)} times, so these figures are estimates and the request log shows only the requests kept. The quota counts every request.`));
}

function statCard(id: string, label: string, iconName: string, value: string, change: Delta | null, note: string): HTMLElement {
  const colour = change?.good === true ? 'text-success' : change?.good === false ? 'text-danger' : 'text-secondary';
  return h('div', { class: 'col-6 col-md-4 col-xl-3' },
    h('div', { class: 'card h-100 stat-card', 'data-stat': id },
      h('div', { class: 'card-body' },
        h('div', { class: 'd-flex align-items-center gap-2 text-secondary small mb-1' }, icon(iconName), label),
        h('div', { class: 'fs-3 fw-semibold stat-value' }, value),
        h('div', { class: 'small' },
          change ? h('span', { class: `${colour} me-1 stat-delta`, 'data-direction': change.direction }, change.text) : null,
          h('span', { class: 'text-secondary' }, note)))));
}

function welcomeCard(): HTMLElement {
  return h('div', { class: 'card border-info mb-3', 'data-testid': 'welcome' },
    h('div', { class: 'card-body d-flex flex-column flex-md-row gap-3 align-items-md-center' },
      icon('seedling', 'fa-2x text-info'),
      h('div', { class: 'me-auto' },
        h('div', { class: 'fw-semibold' }, 'Nothing to chart yet'),
        h('div', { class: 'text-secondary small' }, 'This looks like a new install. Create a key, call the API with it, and the charts below fill in on their own.')),
      h('a', { class: 'btn btn-info', href: '#/keys' }, icon('plus', 'me-1'), 'Create a key')));
}

function keyLabel(id: string, name: string | null): string {
  if (name) return name;
  return id === BOOTSTRAP_ADMIN_KEY_ID ? 'ADMIN_API_KEY' : `${id.slice(0, 8)} (deleted)`;
}

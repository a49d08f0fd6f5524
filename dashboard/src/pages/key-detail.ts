// One key: its record, its actions and its daily usage over the last 30 IST days.
import { api, ApiError } from '../api';
import { barChart, ChartCard, COLOURS } from '../charts';
import { alertBox, errorAlert, h, icon, progressBar, replaceChildren, spinner, statusBadge } from '../dom';
import { formatDateTime, formatNumber, formatRelative } from '../format';
import type { KeyDetail } from '../types';
import { keyActionButtons } from './keys';
import { pageHeader, type Page } from './page';

export function keyDetailPage(id: string): Page {
  const notices = h('div');
  const header = h('div');
  const details = h('div', {}, spinner());
  const usage = new ChartCard('key-usage', 'Requests per day (IST), last 30 days', 'chart-column',
    { title: 'No requests with this key yet', message: 'Daily use shows here once a client calls the API with it.' });
  const element = h('div', { 'data-page': 'key-detail' },
    h('a', { href: '#/keys', class: 'btn btn-link px-0 mb-2 text-decoration-none' }, icon('arrow-left', 'me-1'), 'All keys'),
    header, notices,
    h('div', { class: 'row g-3' }, h('div', { class: 'col-12 col-lg-4' }, details), h('div', { class: 'col-12 col-lg-8' }, usage.element)));

  async function refresh(): Promise<void> {
    try {
      render(await api.getKey(id));
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'not_found') {
        replaceChildren(header, pageHeader('Key not found'));
        replaceChildren(details, alertBox('warning', 'This key does not exist (it may have been deleted).'));
        usage.element.classList.add('d-none');
        return;
      }
      replaceChildren(notices, errorAlert(error));
    }
  }

  function render({ key, usage: days }: KeyDetail): void {
    const actions = keyActionButtons(key, {
      onChanged: (message) => { replaceChildren(notices, alertBox('success', message)); void refresh(); },
      onDeleted: () => { location.hash = '#/keys'; },
      onError: (error) => replaceChildren(notices, errorAlert(error)),
    });
    replaceChildren(header, pageHeader(key.name, statusBadge(key.status), actions));
    const row = (label: string, value: Node | string) => [h('dt', { class: 'col-5 text-secondary fw-normal' }, label), h('dd', { class: 'col-7 text-break' }, value)];
    replaceChildren(details, h('div', { class: 'card h-100' }, h('div', { class: 'card-body' },
      h('dl', { class: 'row mb-0 small', 'data-testid': 'key-record' },
        ...row('Id', h('span', { class: 'font-monospace' }, key.id)),
        ...row('Tier', key.tier),
        ...row('Daily limit', formatNumber(key.daily_limit)),
        ...row('Used today', progressBar(key.used_today, key.daily_limit)),
        ...row('Total used', formatNumber(key.total_used)),
        ...row('Created', formatDateTime(key.created_at)),
        ...row('Expires', key.expires_at ? `${formatDateTime(key.expires_at)} (${formatRelative(key.expires_at)})` : 'never'),
        ...row('Last used', key.last_used_at ? `${formatRelative(key.last_used_at)}` : 'never'),
        ...row('Logs', h('a', { href: `#/logs?key_id=${encodeURIComponent(key.id)}` }, 'Requests with this key'))))));
    const sorted = [...days].sort((a, b) => a.date.localeCompare(b.date));
    usage.show(barChart(sorted.map((d) => d.date.slice(5)), [{ label: 'Requests', data: sorted.map((d) => d.count), colour: COLOURS.blue }]));
  }

  void refresh();
  return { element, refresh, dispose: () => usage.destroy() };
}

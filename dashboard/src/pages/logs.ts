// The request log, filtered by key, endpoint, status (429 or 4xx) and time range.
import { api } from '../api';
import { emptyState, errorAlert, h, httpStatusBadge, icon, pager, replaceChildren, spinner } from '../dom';
import { formatDateTime } from '../format';
import { BOOTSTRAP_ADMIN_KEY_ID, type LogEntry, type LogFilter } from '../types';
import { pageHeader, type Page } from './page';

const PAGE_SIZE = 50;

export function logsPage(initial: URLSearchParams): Page {
  let page = 1;
  const tableArea = h('div', {}, spinner());
  const input = (name: string, placeholder: string, type = 'text') =>
    h('input', { class: 'form-control form-control-sm', name, type, placeholder, 'aria-label': placeholder, value: initial.get(name) ?? '' });
  const keyId = input('key_id', 'Key id');
  const endpoint = input('endpoint', 'Endpoint, e.g. /v1/resolve');
  const status = input('status', 'Status: 429 or 4xx');
  status.setAttribute('pattern', '^([1-5][0-9]{2}|[1-5]xx)$');
  const from = input('from', 'From', 'datetime-local');
  const to = input('to', 'To', 'datetime-local');
  const form = h('form', { class: 'row g-2 align-items-end mb-3', 'data-testid': 'log-filters' },
    labelled('Key id', keyId, 'col-12 col-md-6 col-xl-3'), labelled('Endpoint', endpoint, 'col-12 col-md-6 col-xl-3'),
    labelled('Status', status, 'col-6 col-md-4 col-xl-2'), labelled('From', from, 'col-6 col-md-4 col-xl-2'), labelled('To', to, 'col-6 col-md-4 col-xl-2'),
    h('div', { class: 'col-6 col-xl-12 d-flex gap-2' },
      h('button', { type: 'submit', class: 'btn btn-sm btn-primary' }, icon('filter', 'me-1'), 'Apply'),
      h('button', { type: 'reset', class: 'btn btn-sm btn-outline-secondary' }, 'Clear')));
  // The filter in force: auto-refresh re-runs it, not whatever is half-typed in the form.
  let applied: LogFilter | string = {};
  const apply = () => {
    applied = filter();
    page = 1;
    void refresh();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  form.addEventListener('reset', () => window.setTimeout(apply));

  const element = h('div', { 'data-page': 'logs' }, pageHeader('Request log'), form, tableArea);

  function filter(): LogFilter | string {
    const value = status.value.trim().toLowerCase();
    if (value && !/^([1-5]\d\d|[1-5]xx)$/.test(value)) return 'Status is a code such as 429, or a class such as 4xx.';
    const iso = (field: HTMLInputElement) => (field.value ? new Date(field.value).toISOString() : undefined);
    return { key_id: keyId.value.trim() || undefined, endpoint: endpoint.value.trim() || undefined, status: value || undefined, from: iso(from), to: iso(to) };
  }

  async function refresh(): Promise<void> {
    if (typeof applied === 'string') return replaceChildren(tableArea, errorAlert(new Error(applied)));
    try {
      const result = await api.logs(page, PAGE_SIZE, applied);
      replaceChildren(tableArea, result.items.length === 0
        ? h('div', { class: 'card' }, emptyState('list', 'No requests match', 'Requests show here a few seconds after they are made.'))
        : logTable(result.items),
      pager(result.page, result.page_size, result.total, (target) => { page = target; void refresh(); }));
    } catch (error) {
      replaceChildren(tableArea, errorAlert(error));
    }
  }

  apply();
  return { element, refresh };
}

function labelled(label: string, control: HTMLElement, classes: string): HTMLElement {
  control.id = `log-filter-${control.getAttribute('name')}`;
  return h('div', { class: classes }, h('label', { class: 'form-label small text-secondary mb-1', for: control.id }, label), control);
}

function logTable(items: LogEntry[]): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'table-responsive' },
    h('table', { class: 'table table-sm table-hover align-middle mb-0 small', 'data-testid': 'logs-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'Time'), h('th', {}, 'Request'), h('th', {}, 'Status'), h('th', { class: 'text-end' }, 'ms'),
        h('th', { class: 'd-none d-md-table-cell' }, 'Key'), h('th', { class: 'd-none d-lg-table-cell' }, 'Client'),
        h('th', { class: 'd-none d-lg-table-cell' }, 'Cache'), h('th', { class: 'd-none d-xl-table-cell' }, 'Query'))),
      h('tbody', {}, ...items.map((entry) => h('tr', { 'data-request-id': entry.request_id },
        h('td', { class: 'text-nowrap' }, formatDateTime(entry.time)),
        h('td', {}, h('span', { class: 'text-secondary me-1' }, entry.method), h('span', { class: 'font-monospace' }, entry.endpoint),
          entry.weight && entry.weight > 1
            ? h('span', { class: 'badge text-bg-secondary ms-1', 'data-field': 'weight', title: `Sampled (LOG_SAMPLE_ONE_IN): stands for ${entry.weight} requests` }, `×${entry.weight}`)
            : null),
        h('td', { class: 'text-nowrap' }, httpStatusBadge(entry.status), entry.error_code ? h('span', { class: 'ms-1 text-secondary font-monospace' }, entry.error_code) : null),
        h('td', { class: 'text-end font-monospace' }, entry.duration_ms),
        h('td', { class: 'd-none d-md-table-cell font-monospace' },
          keyCell(entry.key_id)),
        h('td', { class: 'd-none d-lg-table-cell font-monospace' }, entry.client_ip, entry.colo ? h('span', { class: 'text-secondary ms-1' }, entry.colo) : null),
        h('td', { class: 'd-none d-lg-table-cell' }, entry.cache ?? '—'),
        h('td', { class: 'd-none d-xl-table-cell text-truncate log-query', title: entry.query ?? '' }, entry.query ?? '')))))));
}

function keyCell(keyId: string | null): Node | string {
  if (!keyId) return '—';
  if (keyId === BOOTSTRAP_ADMIN_KEY_ID) return h('span', { class: 'text-secondary', title: 'The bootstrap ADMIN_API_KEY' }, 'ADMIN_API_KEY');
  return h('a', { href: `#/keys/${encodeURIComponent(keyId)}`, title: keyId }, keyId.slice(0, 8));
}

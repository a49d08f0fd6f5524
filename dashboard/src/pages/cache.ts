// The track cache: each entry's status (ready, pending, failed with the reason), size and age.
import { api } from '../api';
import { emptyState, errorAlert, h, pager, replaceChildren, spinner, statusBadge } from '../dom';
import { formatBytes, formatRelative } from '../format';
import type { CacheEntry, CachePage, CacheStatus } from '../types';
import { pageHeader, type Page } from './page';

const PAGE_SIZE = 50;
const STATUSES: CacheStatus[] = ['ready', 'pending', 'failed', 'stale', 'too_large'];

export function cachePage(): Page {
  let page = 1;
  const stats = h('div', { class: 'd-flex flex-wrap gap-2 mb-3', 'data-testid': 'cache-stats' });
  const tableArea = h('div', {}, spinner());
  const status = h('select', { class: 'form-select form-select-sm w-auto', 'aria-label': 'Status filter' },
    h('option', { value: '' }, 'All statuses'), ...STATUSES.map((value) => h('option', { value }, value === 'ready' ? 'hit / ready' : value.replace('_', ' '))));
  status.addEventListener('change', () => { page = 1; void refresh(); });
  const element = h('div', { 'data-page': 'cache' }, pageHeader('Track cache', status), stats, tableArea);

  async function refresh(): Promise<void> {
    try {
      const result = await api.cache(page, PAGE_SIZE, status.value || undefined);
      renderStats(result);
      replaceChildren(tableArea, result.items.length === 0
        ? h('div', { class: 'card' }, emptyState('database', 'No cached tracks', status.value ? 'None has this status.' : 'Tracks appear here once they are cached.'))
        : cacheTable(result.items),
      pager(result.page, result.page_size, result.total, (target) => { page = target; void refresh(); }));
    } catch (error) {
      replaceChildren(tableArea, errorAlert(error));
    }
  }

  function renderStats(result: CachePage): void {
    replaceChildren(stats, ...STATUSES.map((value) => h('span', { class: 'd-inline-flex align-items-center gap-1 border rounded px-2 py-1 small' },
      statusBadge(value), h('span', { class: 'fw-semibold' }, (result.stats?.[value] ?? 0).toLocaleString()))));
  }

  void refresh();
  return { element, refresh };
}

function cacheTable(items: CacheEntry[]): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'table-responsive' },
    h('table', { class: 'table table-sm table-hover align-middle mb-0 small', 'data-testid': 'cache-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'Track'), h('th', {}, 'Status'), h('th', { class: 'text-end' }, 'Size'), h('th', {}, 'Age'),
        h('th', { class: 'd-none d-md-table-cell' }, 'Expires'), h('th', { class: 'd-none d-lg-table-cell' }, 'Type'))),
      h('tbody', {}, ...items.map((entry) => h('tr', { 'data-video-id': entry.video_id },
        h('td', {}, h('div', { class: 'text-truncate cache-title' }, entry.title ?? '(untitled)'),
          h('div', { class: 'font-monospace text-secondary' }, entry.video_id)),
        h('td', {}, statusBadge(entry.status),
          entry.failure_reason ? h('div', { class: 'text-danger small mt-1', 'data-field': 'failure_reason' }, entry.failure_reason) : null),
        h('td', { class: 'text-end font-monospace' }, formatBytes(entry.size)),
        // A pending entry has no cached_at yet: its age is how long ago it was claimed.
        h('td', { class: 'text-nowrap' }, formatRelative(entry.cached_at ?? entry.claimed_at)),
        h('td', { class: 'd-none d-md-table-cell text-nowrap' }, formatRelative(entry.expires_at)),
        h('td', { class: 'd-none d-lg-table-cell' }, entry.type, entry.mime ? h('span', { class: 'text-secondary ms-1' }, entry.mime) : null)))))));
}

// Keys: a searchable, paged table with the whole lifecycle (create, edit,
// deactivate / reactivate, delete).
import { api } from '../api';
import { alertBox, errorAlert, h, icon, pager, progressBar, replaceChildren, spinner, statusBadge } from '../dom';
import { formatDateTime, formatNumber, formatRelative } from '../format';
import type { KeyView } from '../types';
import { confirmDeleteKey, openCreateKeyModal, openEditKeyModal, setKeyActive } from './key-forms';
import { pageHeader, type Page } from './page';

const PAGE_SIZE = 20;

export function keysPage(): Page {
  let page = 1;
  const notices = h('div');
  const tableArea = h('div', {}, spinner());
  const search = h('input', { class: 'form-control', type: 'search', placeholder: 'Search by name', 'aria-label': 'Search keys', 'data-testid': 'key-search' });
  const status = h('select', { class: 'form-select', 'aria-label': 'Status filter', 'data-testid': 'key-status-filter' },
    ...['all', 'active', 'expired', 'revoked'].map((value) => h('option', { value }, value === 'all' ? 'All statuses' : value)));
  let debounce: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => { page = 1; void refresh(); }, 300);
  });
  status.addEventListener('change', () => { page = 1; void refresh(); });

  const createButton = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'new-key' }, icon('plus', 'me-1'), 'New key');
  createButton.addEventListener('click', () => openCreateKeyModal((record) => {
    replaceChildren(notices, alertBox('success', `Key “${record.name}” created.`));
    void refresh();
  }));

  const element = h('div', { 'data-page': 'keys' },
    pageHeader('API keys', createButton),
    h('div', { class: 'row g-2 mb-3' },
      h('div', { class: 'col-12 col-md-8' }, h('div', { class: 'input-group' }, h('span', { class: 'input-group-text' }, icon('magnifying-glass')), search)),
      h('div', { class: 'col-12 col-md-4' }, status)),
    notices, tableArea);

  async function refresh(): Promise<void> {
    try {
      const result = await api.listKeys({ page, page_size: PAGE_SIZE, search: search.value.trim(), status: status.value });
      if (result.items.length === 0 && page > 1 && result.total > 0) {
        page = Math.ceil(result.total / PAGE_SIZE); // the last page emptied (deletion): step back
        return refresh();
      }
      replaceChildren(tableArea, keysTable(result.items), pager(result.page, result.page_size, result.total, (target) => { page = target; void refresh(); }));
    } catch (error) {
      replaceChildren(tableArea, errorAlert(error));
    }
  }

  function keysTable(keys: KeyView[]): HTMLElement {
    if (keys.length === 0) {
      const filtered = search.value.trim() !== '' || status.value !== 'all';
      return h('div', { class: 'card' }, h('div', { class: 'card-body text-center text-secondary py-5', 'data-empty': 'true' },
        h('div', { class: 'mb-3 opacity-50' }, icon('key', 'fa-2x')),
        filtered ? 'No key matches this search.' : 'No keys yet. Create the first one with “New key”.'));
    }
    const actions = { onChanged: (message: string) => { replaceChildren(notices, alertBox('success', message)); void refresh(); }, onError: showError };
    return h('div', { class: 'card' }, h('div', { class: 'table-responsive' },
      h('table', { class: 'table table-hover align-middle mb-0', 'data-testid': 'keys-table' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Name'), h('th', { class: 'd-none d-md-table-cell' }, 'Tier'), h('th', { class: 'd-none d-lg-table-cell text-end' }, 'Limit'),
          h('th', {}, 'Today'), h('th', { class: 'd-none d-md-table-cell' }, 'Expires'), h('th', {}, 'Status'), h('th', { class: 'text-end' }, 'Actions'))),
        h('tbody', {}, ...keys.map((key) => h('tr', { 'data-key-id': key.id },
          h('td', {}, h('a', { href: `#/keys/${encodeURIComponent(key.id)}`, class: 'fw-semibold text-decoration-none' }, key.name),
            h('div', { class: 'small text-secondary font-monospace text-truncate key-id' }, key.id)),
          h('td', { class: 'd-none d-md-table-cell' }, h('span', { class: `badge ${key.tier === 'admin' ? 'text-bg-primary' : 'text-bg-secondary'}` }, key.tier)),
          h('td', { class: 'd-none d-lg-table-cell text-end font-monospace', 'data-field': 'daily_limit' }, formatNumber(key.daily_limit)),
          h('td', {}, progressBar(key.used_today, key.daily_limit)),
          h('td', { class: 'd-none d-md-table-cell small' }, key.expires_at ? h('span', { title: formatDateTime(key.expires_at) }, formatRelative(key.expires_at)) : h('span', { class: 'text-secondary' }, 'never')),
          h('td', {}, statusBadge(key.status)),
          h('td', { class: 'text-end text-nowrap' }, keyActionButtons(key, actions, true))))))));
  }

  function showError(error: unknown): void {
    replaceChildren(notices, errorAlert(error));
  }

  void refresh();
  return { element, refresh, dispose: () => window.clearTimeout(debounce) };
}

/** Edit, deactivate / reactivate, delete: shared by the table and a key's own page. */
export function keyActionButtons(
  key: KeyView,
  handlers: { onChanged: (message: string, record?: KeyView) => void; onDeleted?: () => void; onError: (error: unknown) => void },
  compact = false,
): HTMLElement {
  const label = (text: string) => (compact ? h('span', { class: 'visually-hidden' }, text) : h('span', { class: 'ms-1' }, text));
  const edit = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', title: 'Edit', 'data-action': 'edit' }, icon('pen'), label('Edit'));
  edit.addEventListener('click', () => openEditKeyModal(key, (record) => handlers.onChanged(`Key “${record.name}” saved.`, record)));

  const toggle = h('button', {
    type: 'button', class: `btn btn-sm ${key.active ? 'btn-outline-warning' : 'btn-outline-success'}`,
    title: key.active ? 'Deactivate' : 'Reactivate', 'data-action': key.active ? 'deactivate' : 'reactivate',
  }, icon(key.active ? 'ban' : 'rotate-left'), label(key.active ? 'Deactivate' : 'Reactivate'));
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      const record = await setKeyActive(key, !key.active);
      handlers.onChanged(`Key “${record.name}” ${record.active ? 'reactivated' : 'deactivated: its clients are refused from their next request'}.`, record);
    } catch (error) {
      handlers.onError(error);
      toggle.disabled = false;
    }
  });

  const remove = h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', title: 'Delete', 'data-action': 'delete' }, icon('trash'), label('Delete'));
  remove.addEventListener('click', () => confirmDeleteKey(key, () => (handlers.onDeleted ?? (() => handlers.onChanged(`Key “${key.name}” deleted.`)))()));

  return h('div', { class: 'btn-group', role: 'group', 'aria-label': `Actions for ${key.name}` }, edit, toggle, remove);
}

// The key dialogs: create (the key is shown once), edit, delete; and the
// one-click deactivate / reactivate. Each calls back so the page can reload.
import { api } from '../api';
import { alertBox, errorAlert, h, icon, replaceChildren } from '../dom';
import { field, openModal } from '../modal';
import type { KeyView, UpdateKeyBody } from '../types';

export function openCreateKeyModal(onCreated: (record: KeyView) => void): void {
  const name = h('input', { class: 'form-control', name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: 'e.g. Alice’s music bot' });
  const tier = h('select', { class: 'form-select', name: 'tier' }, h('option', { value: 'user' }, 'user'), h('option', { value: 'admin' }, 'admin (may use the admin API)'));
  const limit = h('input', { class: 'form-control', name: 'daily_limit', type: 'number', min: 1, step: 1, placeholder: 'tier default' });
  const days = h('input', { class: 'form-control', name: 'expires_in_days', type: 'number', min: 1, step: 1, placeholder: 'default (30)' });
  const never = h('input', { class: 'form-check-input', type: 'checkbox', id: 'create-never', name: 'never' });
  never.addEventListener('change', () => { days.disabled = never.checked; });
  const errors = h('div');
  const form = h('form', { novalidate: true }, errors,
    field('Name (owner)', name),
    field('Tier', tier),
    field('Daily limit', limit, 'Requests per IST day. Empty: 1,000 for user keys, 10,000,000 for admin keys.'),
    field('Expires in (days)', days),
    h('div', { class: 'form-check mb-2' }, never, h('label', { class: 'form-check-label', for: 'create-never' }, 'Never expires')));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'create' }, icon('plus', 'me-1'), 'Create key');
  submit.setAttribute('form', 'create-key-form');
  form.id = 'create-key-form';
  const modal = openModal({
    title: 'New API key', iconName: 'key', testId: 'create-key-modal', body: form,
    footer: [h('button', { type: 'button', class: 'btn btn-outline-secondary', 'data-bs-dismiss': 'modal' }, 'Cancel'), submit],
  });
  modal.element.addEventListener('shown.bs.modal', () => name.focus());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return replaceChildren(errors, alertBox('warning', 'Give the key a name: usually its owner.'));
    submit.disabled = true;
    try {
      const created = await api.createKey({
        name: name.value.trim(),
        tier: tier.value === 'admin' ? 'admin' : 'user',
        ...(limit.value ? { daily_limit: Number(limit.value) } : {}),
        ...(never.checked ? { expires_in_days: null } : days.value ? { expires_in_days: Number(days.value) } : {}),
      });
      showKeyOnce(modal.body, modal.footer, created.key, created.record);
      onCreated(created.record);
    } catch (error) {
      replaceChildren(errors, errorAlert(error));
      submit.disabled = false;
    }
  });
}

/** The only time the key exists in the dashboard: gone with the dialog. */
function showKeyOnce(body: HTMLElement, footer: HTMLElement, key: string, record: KeyView): void {
  const input = h('input', { class: 'form-control font-monospace', readonly: true, value: key, 'data-testid': 'new-key', 'aria-label': 'New API key' });
  const copy = h('button', { type: 'button', class: 'btn btn-outline-primary', 'data-action': 'copy' }, icon('copy', 'me-1'), 'Copy');
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(key);
    } catch {
      document.execCommand('copy'); // older browsers / insecure origins
    }
    replaceChildren(copy, icon('check', 'me-1'), 'Copied');
  });
  replaceChildren(body,
    alertBox('warning', 'Copy it now: it is shown only this once and cannot be retrieved later (only its hash is stored).', `Key for “${record.name}” created`),
    h('div', { class: 'input-group' }, input, copy));
  replaceChildren(footer, h('button', { type: 'button', class: 'btn btn-primary', 'data-bs-dismiss': 'modal' }, 'Done'));
}

export function openEditKeyModal(key: KeyView, onSaved: (record: KeyView) => void): void {
  const name = h('input', { class: 'form-control', name: 'name', required: true, maxlength: 100, value: key.name });
  const limit = h('input', { class: 'form-control', name: 'daily_limit', type: 'number', min: 1, step: 1, value: key.daily_limit });
  const expires = h('input', { class: 'form-control', name: 'expires_at', type: 'datetime-local', value: toLocalInput(key.expires_at) });
  const never = h('input', { class: 'form-check-input', type: 'checkbox', id: 'edit-never', checked: key.expires_at === null });
  expires.disabled = never.checked;
  never.addEventListener('change', () => { expires.disabled = never.checked; });
  const errors = h('div');
  const form = h('form', { id: 'edit-key-form', novalidate: true }, errors,
    field('Name', name), field('Daily limit', limit),
    field('Expires at (your local time)', expires),
    h('div', { class: 'form-check mb-2' }, never, h('label', { class: 'form-check-label', for: 'edit-never' }, 'Never expires')));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', form: 'edit-key-form', 'data-action': 'save' }, icon('floppy-disk', 'me-1'), 'Save');
  const modal = openModal({
    title: `Edit ${key.name}`, iconName: 'pen', testId: 'edit-key-modal', body: form,
    footer: [h('button', { type: 'button', class: 'btn btn-outline-secondary', 'data-bs-dismiss': 'modal' }, 'Cancel'), submit],
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const changes: UpdateKeyBody = {};
    if (name.value.trim() !== key.name) changes.name = name.value.trim();
    if (limit.value !== '' && Number(limit.value) !== key.daily_limit) changes.daily_limit = Number(limit.value);
    const expiresAt = never.checked ? null : expires.value ? new Date(expires.value).toISOString() : key.expires_at;
    if (expiresAt !== key.expires_at) changes.expires_at = expiresAt;
    if (Object.keys(changes).length === 0) return modal.hide();
    submit.disabled = true;
    try {
      const record = await api.updateKey(key.id, changes);
      modal.hide();
      onSaved(record);
    } catch (error) {
      replaceChildren(errors, errorAlert(error));
      submit.disabled = false;
    }
  });
}

export function confirmDeleteKey(key: KeyView, onDeleted: () => void): void {
  const errors = h('div');
  const confirm = h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'confirm-delete' }, icon('trash', 'me-1'), 'Delete key');
  const modal = openModal({
    title: 'Delete key?', iconName: 'trash', testId: 'delete-key-modal',
    body: h('div', {}, errors,
      h('p', {}, 'Delete “', h('strong', {}, key.name), '” for good? Clients using it are refused at once (401 key.invalid), and this cannot be undone.'),
      h('p', { class: 'text-secondary small mb-0' }, 'To stop it only for now, deactivate it instead.')),
    footer: [h('button', { type: 'button', class: 'btn btn-outline-secondary', 'data-bs-dismiss': 'modal' }, 'Cancel'), confirm],
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await api.deleteKey(key.id);
      modal.hide();
      onDeleted();
    } catch (error) {
      replaceChildren(errors, errorAlert(error));
      confirm.disabled = false;
    }
  });
}

/** Deactivate or reactivate; takes effect for clients on their next request. */
export function setKeyActive(key: KeyView, active: boolean): Promise<KeyView> {
  return api.updateKey(key.id, { active });
}

/** ISO → the value a datetime-local input wants, in the browser's time zone. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

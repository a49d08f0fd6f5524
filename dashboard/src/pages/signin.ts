// Sign-in: the API address (editable, so one build serves any API) and an
// admin key, checked against the API before it is kept.
import { api } from '../api';
import { apiBase, normalizeBase, setApiBase } from '../config';
import { alertBox, errorAlert, h, icon, replaceChildren } from '../dom';
import { signIn, takeSignInNotice } from '../session';

export function signInPage(onSignedIn: () => void): HTMLElement {
  const notice = takeSignInNotice();
  const messages = h('div', {}, notice ? alertBox('warning', notice, 'Signed out') : null);
  const base = h('input', { class: 'form-control', id: 'api-base', name: 'api_base', type: 'url', required: true, value: apiBase(), placeholder: 'https://api.example.com', autocomplete: 'url' });
  const key = h('input', { class: 'form-control font-monospace', id: 'admin-key', name: 'admin_key', type: 'password', required: true, autocomplete: 'current-password', placeholder: 'ADMIN_API_KEY or an admin-tier key' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary w-100' }, icon('right-to-bracket', 'me-1'), 'Sign in');
  const form = h('form', { 'data-testid': 'sign-in-form', novalidate: true },
    messages,
    h('div', { class: 'mb-3' }, h('label', { class: 'form-label', for: 'api-base' }, 'API address'), base,
      h('div', { class: 'form-text' }, 'The API Worker this dashboard manages.')),
    h('div', { class: 'mb-3' }, h('label', { class: 'form-label', for: 'admin-key' }, 'Admin key'), key,
      h('div', { class: 'form-text' }, 'Kept in this tab only (sessionStorage) and sent as X-API-Key.')),
    submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let normalized: string;
    try {
      normalized = normalizeBase(base.value);
    } catch {
      return replaceChildren(messages, alertBox('warning', 'Enter the API address, e.g. https://api.example.com.'));
    }
    if (!key.value.trim()) return replaceChildren(messages, alertBox('warning', 'Enter an admin key.'));
    submit.disabled = true;
    replaceChildren(messages);
    setApiBase(normalized);
    try {
      await api.verifyKey(key.value.trim());
      signIn(key.value);
      onSignedIn();
    } catch (error) {
      replaceChildren(messages, errorAlert(error));
      submit.disabled = false;
    }
  });

  return h('div', { class: 'container py-5', 'data-page': 'sign-in' },
    h('div', { class: 'row justify-content-center' }, h('div', { class: 'col-12 col-sm-10 col-md-7 col-lg-5' },
      h('div', { class: 'text-center mb-4' },
        h('div', { class: 'mb-2' }, icon('music', 'fa-2x text-primary')),
        h('h1', { class: 'h4' }, 'YT Music API admin'),
        h('p', { class: 'text-secondary small mb-0' }, 'Usage, keys, logs and the track cache.')),
      h('div', { class: 'card' }, h('div', { class: 'card-body p-4' }, form)))));
}

// DOM building without innerHTML: every string becomes a text node or an
// attribute value, so API-provided text can never turn into markup.
import { ApiError } from './api';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A Font Awesome icon, e.g. icon('key') → <i class="fa-solid fa-key">. */
export function icon(name: string, extra = ''): HTMLElement {
  return h('i', { class: `fa-solid fa-${name} ${extra}`.trim(), 'aria-hidden': 'true' });
}

export type AlertKind = 'danger' | 'warning' | 'info' | 'success';

export function alertBox(kind: AlertKind, message: string, title?: string): HTMLElement {
  const symbol = kind === 'success' ? 'circle-check' : kind === 'info' ? 'circle-info' : 'triangle-exclamation';
  return h('div', { class: `alert alert-${kind} d-flex gap-2 align-items-start`, role: 'alert' },
    icon(symbol, 'mt-1'),
    h('div', {}, title ? h('strong', { class: 'd-block' }, title) : null, message));
}

/** Explains any failure in words; auth failures are handled by main.ts (back to sign-in). */
export function errorAlert(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const titles: Record<string, string> = {
      network: 'API unreachable', unavailable: 'Store unavailable', auth: 'Signed out', not_found: 'Not found', http: 'Request failed',
    };
    return alertBox(error.kind === 'unavailable' ? 'warning' : 'danger', error.message, titles[error.kind]);
  }
  const message = error instanceof Error ? error.message : String(error);
  return alertBox('danger', message, 'Something went wrong');
}

export function spinner(label = 'Loading…'): HTMLElement {
  return h('div', { class: 'd-flex align-items-center gap-2 text-secondary py-4 justify-content-center' },
    h('div', { class: 'spinner-border spinner-border-sm', role: 'status' }), label);
}

export function statusBadge(status: string): HTMLElement {
  const colours: Record<string, string> = {
    active: 'success', ready: 'success', expired: 'warning', pending: 'info', stale: 'secondary',
    revoked: 'danger', failed: 'danger', too_large: 'secondary',
    ok: 'success', failing: 'warning', cooling_off: 'danger', unused: 'secondary',
  };
  const label = status === 'ready' ? 'hit / ready' : status.replace('_', ' ');
  return h('span', { class: `badge text-bg-${colours[status] ?? 'secondary'}`, 'data-status': status }, label);
}

export function httpStatusBadge(status: number): HTMLElement {
  const colour = status >= 500 ? 'danger' : status >= 400 ? 'warning' : status >= 300 ? 'info' : 'success';
  return h('span', { class: `badge text-bg-${colour} font-monospace` }, status);
}

export function progressBar(used: number, limit: number): HTMLElement {
  const fraction = limit > 0 ? Math.min(1, used / limit) : used > 0 ? 1 : 0;
  const colour = fraction >= 1 ? 'bg-danger' : fraction >= 0.8 ? 'bg-warning' : 'bg-success';
  const bar = h('div', { class: `progress-bar ${colour}` });
  bar.style.width = `${(fraction * 100).toFixed(1)}%`;
  return h('div', { class: 'usage-cell' },
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': used, 'aria-valuemin': 0, 'aria-valuemax': limit, 'aria-label': 'Used today' }, bar),
    h('small', { class: 'text-secondary' }, `${used.toLocaleString()} / ${limit.toLocaleString()}`));
}

/** « Prev | page x of y | Next » with a total; calls go(page). */
export function pager(page: number, pageSize: number, total: number, go: (page: number) => void): HTMLElement {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const button = (label: Child, target: number, disabled: boolean, name: string) =>
    h('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm', disabled, 'data-page': name, onclick: () => go(target) }, label);
  return h('div', { class: 'd-flex flex-wrap align-items-center justify-content-between gap-2 mt-2' },
    h('small', { class: 'text-secondary' }, `${total.toLocaleString()} in all`),
    h('div', { class: 'btn-group' },
      button(icon('chevron-left'), page - 1, page <= 1, 'prev'),
      h('span', { class: 'btn btn-sm btn-outline-secondary disabled' }, `Page ${page} of ${pages}`),
      button(icon('chevron-right'), page + 1, page >= pages, 'next')));
}

/** A card with a title row (icon, title, optional right-hand tools) and a body. */
export function card(title: string, iconName: string, body: Child, tools?: Child): HTMLElement {
  return h('div', { class: 'card h-100' },
    h('div', { class: 'card-header d-flex align-items-center gap-2' },
      icon(iconName, 'text-secondary'), h('span', { class: 'fw-semibold me-auto' }, title), tools),
    h('div', { class: 'card-body' }, body));
}

export function emptyState(iconName: string, title: string, message: string): HTMLElement {
  return h('div', { class: 'empty-state text-center text-secondary py-5', 'data-empty': 'true' },
    h('div', { class: 'mb-3 opacity-50' }, icon(iconName, 'fa-2x')),
    h('div', { class: 'fw-semibold text-body' }, title),
    h('div', { class: 'small' }, message));
}

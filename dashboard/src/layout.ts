// The signed-in frame: a navbar that collapses on phones, page alerts, and the page.
import Collapse from 'bootstrap/js/dist/collapse';
import { apiBase } from './config';
import { append, h, icon, replaceChildren } from './dom';
import type { AutoRefresh } from './refresh';

export interface Layout {
  element: HTMLElement;
  content: HTMLElement;
  alerts: HTMLElement;
  setActive(section: string): void;
  renderRefreshState(): void;
}

const SECTIONS = [
  { id: 'overview', label: 'Overview', icon: 'gauge-high', href: '#/overview' },
  { id: 'keys', label: 'Keys', icon: 'key', href: '#/keys' },
  { id: 'logs', label: 'Logs', icon: 'list', href: '#/logs' },
  { id: 'cache', label: 'Cache', icon: 'database', href: '#/cache' },
  { id: 'health', label: 'Health', icon: 'heart-pulse', href: '#/health' },
];

export function createLayout(refresher: AutoRefresh, onSignOut: () => void): Layout {
  const links = SECTIONS.map((section) => h('a', { class: 'nav-link', href: section.href, 'data-nav': section.id }, icon(section.icon, 'me-1'), section.label));
  const collapse = h('div', { class: 'collapse navbar-collapse', id: 'main-nav' },
    h('div', { class: 'navbar-nav me-auto' }, ...links,
      h('a', { class: 'nav-link', href: './api-reference.html', 'data-nav': 'api-reference' }, icon('book', 'me-1'), 'API reference')));
  const pauseButton = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'data-action': 'toggle-refresh' });
  pauseButton.addEventListener('click', () => refresher.toggle());
  const refreshButton = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', title: 'Refresh now', 'data-action': 'refresh-now' }, icon('rotate'));
  refreshButton.addEventListener('click', () => void refresher.runNow());
  const lastRun = h('small', { class: 'text-secondary d-none d-xl-inline', 'data-testid': 'last-refresh' });
  const signOut = h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', 'data-action': 'sign-out' }, icon('right-from-bracket', 'me-1'), 'Sign out');
  signOut.addEventListener('click', onSignOut);
  append(collapse,
    h('div', { class: 'd-flex flex-wrap align-items-center gap-2 py-2 py-lg-0' },
      h('small', { class: 'text-secondary text-truncate api-host', title: apiBase() }, icon('server', 'me-1'), hostOf(apiBase())),
      lastRun, h('div', { class: 'btn-group' }, pauseButton, refreshButton), signOut));

  const toggler = h('button', {
    class: 'navbar-toggler', type: 'button', 'data-bs-toggle': 'collapse', 'data-bs-target': '#main-nav',
    'aria-controls': 'main-nav', 'aria-expanded': 'false', 'aria-label': 'Toggle navigation',
  }, h('span', { class: 'navbar-toggler-icon' }));
  const navbar = h('nav', { class: 'navbar navbar-expand-lg bg-body-tertiary border-bottom sticky-top' },
    h('div', { class: 'container-fluid' },
      h('a', { class: 'navbar-brand d-flex align-items-center gap-2', href: '#/overview' }, icon('music', 'text-primary'), 'YT Music admin'),
      toggler, collapse));
  // On a phone, picking a section should fold the menu away again.
  for (const link of links) link.addEventListener('click', () => Collapse.getInstance(collapse)?.hide());

  const alerts = h('div', { 'data-testid': 'global-alerts' });
  const content = h('main', { class: 'container-fluid py-3 px-3 px-lg-4' });
  const element = h('div', {}, navbar, h('div', { class: 'container-fluid px-3 px-lg-4 pt-3' }, alerts), content);

  return {
    element, content, alerts,
    setActive(section) {
      for (const link of links) {
        const active = link.dataset.nav === section;
        link.classList.toggle('active', active);
        if (active) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
    renderRefreshState() {
      replaceChildren(pauseButton, icon(refresher.paused ? 'play' : 'pause', 'me-1'), refresher.paused ? 'Resume' : 'Pause');
      pauseButton.title = refresher.paused ? 'Auto-refresh is paused' : 'Auto-refresh every 30 s';
      pauseButton.dataset.paused = String(refresher.paused);
      lastRun.textContent = refresher.lastRun ? `Updated ${refresher.lastRun.toLocaleTimeString()}` : '';
    },
  };
}

function hostOf(base: string): string {
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}

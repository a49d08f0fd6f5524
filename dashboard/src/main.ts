// Entry point: styles, the session gate, the hash router and the auto-refresh.
import 'bootstrap/dist/css/bootstrap.min.css';
import '@fortawesome/fontawesome-free/css/fontawesome.min.css';
import '@fortawesome/fontawesome-free/css/solid.min.css';
import './styles.css';
import { ApiError, setAuthFailureHandler } from './api';
import { errorAlert, replaceChildren } from './dom';
import { createLayout, type Layout } from './layout';
import { closeAllModals } from './modal';
import { cachePage } from './pages/cache';
import { healthPage } from './pages/health';
import { keyDetailPage } from './pages/key-detail';
import { keysPage } from './pages/keys';
import { logsPage } from './pages/logs';
import { overviewPage } from './pages/overview';
import type { Page } from './pages/page';
import { signInPage } from './pages/signin';
import { AutoRefresh } from './refresh';
import { adminKey, setSignInNotice, signOut } from './session';

const root = document.getElementById('app')!;
const refresher = new AutoRefresh(() => layout?.renderRefreshState());
let layout: Layout | null = null;
let current: Page | null = null;

function route(hash: string): { section: string; page: () => Page } {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'keys' && parts[1]) return { section: 'keys', page: () => keyDetailPage(parts[1]!) };
  if (parts[0] === 'keys') return { section: 'keys', page: keysPage };
  if (parts[0] === 'logs') return { section: 'logs', page: () => logsPage(new URLSearchParams(query)) };
  if (parts[0] === 'cache') return { section: 'cache', page: cachePage };
  if (parts[0] === 'health') return { section: 'health', page: healthPage };
  return { section: 'overview', page: overviewPage };
}

function render(): void {
  current?.dispose?.();
  current = null;
  if (!adminKey()) {
    layout = null;
    refresher.stop();
    refresher.setTask(null);
    replaceChildren(root, signInPage(() => render()));
    return;
  }
  if (!layout) {
    layout = createLayout(refresher, () => endSession(null));
    replaceChildren(root, layout.element);
    refresher.start();
  }
  replaceChildren(layout.alerts);
  const { section, page } = route(location.hash);
  layout.setActive(section);
  current = page();
  replaceChildren(layout.content, current.element);
  refresher.setTask(current.refresh);
  if (section === 'overview') void current.refresh(); // the other pages load themselves when built
}

/** Signs out; with a message when the API ended the session (expired or revoked admin key). */
function endSession(message: string | null): void {
  signOut();
  closeAllModals();
  if (message) setSignInNotice(message);
  render();
}

setAuthFailureHandler((error) => {
  if (adminKey()) endSession(error.message);
});

window.addEventListener('hashchange', () => {
  if (adminKey()) render();
});

// Whatever goes wrong, say so on the page instead of leaving it blank or stale.
function reportUnexpected(error: unknown): void {
  if (error instanceof ApiError && error.kind === 'auth') return;
  console.error(error);
  const target = layout?.alerts ?? root;
  target.prepend(errorAlert(error));
}
window.addEventListener('error', (event) => reportUnexpected(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => reportUnexpected(event.reason));

render();

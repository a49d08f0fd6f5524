// Where the API lives. One build serves any deployment: the operator's choice on
// the sign-in form wins, then config.js (run time), then VITE_API_BASE (build time).

const OVERRIDE_STORAGE_KEY = 'dashboard.apiBase';
const LOCAL_API = 'http://127.0.0.1:8787';

/** The API base this deployment was configured with (without the operator's override). */
export function configuredApiBase(): string {
  const fromRuntime = window.DASHBOARD_CONFIG?.apiBase;
  if (fromRuntime) return normalizeBase(fromRuntime);
  const fromBuild = import.meta.env.VITE_API_BASE;
  if (fromBuild) return normalizeBase(fromBuild);
  // Only a dashboard running on this machine can sensibly guess the local API.
  return isLocalHost(location.hostname) ? LOCAL_API : '';
}

export function apiBase(): string {
  return readOverride() ?? configuredApiBase();
}

/** Remembers the operator's API base (not a secret, so localStorage: it survives new tabs). */
export function setApiBase(value: string): void {
  const base = normalizeBase(value);
  try {
    if (base === configuredApiBase()) localStorage.removeItem(OVERRIDE_STORAGE_KEY);
    else localStorage.setItem(OVERRIDE_STORAGE_KEY, base);
  } catch {
    // Storage disabled (private mode): the override lasts for this page only.
    memoryOverride = base;
  }
}

/** Accepts `api.example.com` or `https://api.example.com/`; throws on anything else. */
export function normalizeBase(value: string): string {
  const trimmed = value.trim();
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The API address must be http(s).');
  return url.href.replace(/\/+$/, '');
}

let memoryOverride: string | undefined;

function readOverride(): string | undefined {
  try {
    return localStorage.getItem(OVERRIDE_STORAGE_KEY) ?? memoryOverride;
  } catch {
    return memoryOverride;
  }
}

function isLocalHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Build-time default API base, e.g. https://api.example.com (config.js overrides it at run time). */
  readonly VITE_API_BASE?: string;
}

interface Window {
  /** Set by config.js, served next to index.html. */
  DASHBOARD_CONFIG?: { apiBase?: string };
}

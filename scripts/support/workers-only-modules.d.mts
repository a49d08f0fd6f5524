import type { Plugin } from 'vite';

export const CLOUDFLARE_WORKERS_STUB: string;
export const WASM_STUB: string;
export function workersOnlyModules(): Plugin;

// The admin key lives in sessionStorage only: it is gone when the tab closes,
// and sign-out wipes it. It is never written to localStorage or a cookie.

const KEY_STORAGE_KEY = 'dashboard.adminKey';

export function adminKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE_KEY);
}

export function signIn(key: string): void {
  sessionStorage.setItem(KEY_STORAGE_KEY, key.trim());
}

/** Clears everything this tab kept (the key, and any UI state stored with it). */
export function signOut(): void {
  sessionStorage.clear();
}

// A message for the sign-in page after an involuntary sign-out (expired key, …).
let pendingNotice: string | null = null;

export function setSignInNotice(message: string): void {
  pendingNotice = message;
}

export function takeSignInNotice(): string | null {
  const message = pendingNotice;
  pendingNotice = null;
  return message;
}

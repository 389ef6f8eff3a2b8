// The API key of this browser tab: in sessionStorage, so it dies with the tab and never
// appears in a URL.
const KEY = "equeue.apiKey";

export function readKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * The one-time sign-in code of `/dashboard/sign-in?code=...`, taken out of the address bar
 * at once (replaceState, so it is not in the history either). Null when there is none.
 */
export function takeSignInCode(location: Location, history: History): string | null {
  const url = new URL(location.href);
  const code = url.searchParams.get("code");
  if (code === null) return null;
  url.searchParams.delete("code");
  // The sign-in page has done its work: the address becomes the overview's.
  const path = url.pathname.replace(/\/sign-in\/?$/, "/");
  history.replaceState(history.state, "", path + url.search + url.hash);
  return code;
}

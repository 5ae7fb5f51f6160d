/**
 * Finds the backend this page talks to. In the Electron window the preload has put a PolarisApi on
 * `window.polaris`. In a browser opened from `polaris serve`, the page connects a WebSocket to its own
 * origin, authenticated by the token the server put in the URL fragment (#token=…), which browsers
 * never send over the network. The token is kept in sessionStorage so a reload stays connected.
 */
import type { PolarisApi } from '../../../shared/api';

export type BackendConnection =
  | { kind: 'electron'; api: PolarisApi }
  | { kind: 'websocket'; api: PolarisApi }
  | { kind: 'none'; reason: string };

const TOKEN_STORAGE_KEY = 'polaris.serve-token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,256}$/;

/**
 * Takes `token=…` out of the fragment (so it does not linger in the address bar or in history) and
 * returns it, or the token remembered from earlier in this tab.
 */
export function takeTokenFromLocation(location: Location, storage: Storage, history: History): string | null {
  const fragment = location.hash.replace(/^#/, '');
  const fromFragment = new URLSearchParams(fragment).get('token');
  if (fromFragment !== null && TOKEN_PATTERN.test(fromFragment)) {
    storage.setItem(TOKEN_STORAGE_KEY, fromFragment);
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    return fromFragment;
  }
  const remembered = storage.getItem(TOKEN_STORAGE_KEY);
  return remembered !== null && TOKEN_PATTERN.test(remembered) ? remembered : null;
}

export async function connectToBackend(): Promise<BackendConnection> {
  if (window.polaris !== undefined) return { kind: 'electron', api: window.polaris };
  if (location.protocol !== 'http:' && location.protocol !== 'https:') {
    return { kind: 'none', reason: 'This page is not connected to Polaris. Open it from the desktop app or from `polaris serve`.' };
  }
  const token = takeTokenFromLocation(location, sessionStorage, history);
  if (token === null) {
    return {
      kind: 'none',
      reason: 'This page needs the access link that `polaris serve` prints (it ends in #token=…). Open that link instead.',
    };
  }
  // Loaded on demand: the Electron window never needs the WebSocket client (nor the zod it carries).
  const { createWebSocketApi, WS_PATH } = await import('../../../shared/ws-transport');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const api = createWebSocketApi({
    url: `${scheme}//${location.host}${WS_PATH}`,
    token,
    connect: (url, protocols) => new WebSocket(url, protocols),
    onProtocolError: (message) => console.warn(`[polaris] ${message}`),
  });
  try {
    await api.ready;
  } catch {
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    return {
      kind: 'none',
      reason: 'Could not connect to the Polaris server. It may have stopped, or this link is from an earlier start: run `polaris serve` again and open the new link.',
    };
  }
  return { kind: 'websocket', api };
}

/**
 * A small hash router: `#/<view>/<param>/…?<query>`. Hash routes work the same in the Electron window
 * (a file:// page) and in a browser served by `polaris serve`, and changing them never reloads the page.
 */
import { useEffect, useMemo, useState } from 'react';

export interface Route {
  /** The view id, e.g. 'gallery'; '' for the start page. */
  view: string;
  /** Path segments after the view, decoded, e.g. a run id. */
  params: readonly string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = text.split('?', 2);
  const segments = pathPart
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  return { view: segments[0] ?? '', params: segments.slice(1), query: new URLSearchParams(queryPart) };
}

export function formatRoute(view: string, params: readonly (string | number)[] = [], query: Record<string, string | number | undefined> = {}): string {
  const path = [view, ...params.map((param) => encodeURIComponent(String(param)))].join('/');
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const queryText = search.toString();
  return `#/${path}${queryText.length > 0 ? `?${queryText}` : ''}`;
}

export function navigate(hash: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) {
    history.replaceState(null, '', hash);
    // replaceState fires no hashchange; tell the router ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (location.hash !== hash) {
    location.hash = hash;
  }
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const update = (): void => setHash(location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

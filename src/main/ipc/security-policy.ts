/**
 * Which URLs the app trusts, as pure functions (no electron import) so they are unit-tested in Node:
 * the Content-Security-Policy, the check that an IPC message comes from our own renderer, and the
 * check that a link may be handed to the operating system's browser.
 */

/**
 * Production CSP. The same string sits in a <meta> tag in src/renderer/index.html (a test keeps the
 * two equal); main also sends it as a response header, which covers any page the meta tag misses.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Dev-server variant: Vite's React refresh preamble is an inline module script, which the
 * production policy rightly forbids. Only ever used when loading from the local dev server.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}

/**
 * Builds the sender check for the URL the main window loads:
 * - file: URL (production): the frame must show exactly that file (query and #hash may differ);
 * - http(s) URL (dev server): the frame must have the same origin (scheme, host and port).
 * Anything else, or anything unparsable, is untrusted.
 */
export function createTrustedSenderCheck(rendererUrl: string): (frameUrl: string) => boolean {
  const expected = parseUrl(rendererUrl);
  if (expected === null) throw new TypeError(`Renderer URL is not a URL: ${rendererUrl}`);

  if (expected.protocol === 'file:') {
    const expectedPath = decodedPath(expected);
    return (frameUrl) => {
      const actual = parseUrl(frameUrl);
      return actual !== null && actual.protocol === 'file:' && actual.host === expected.host && decodedPath(actual) === expectedPath;
    };
  }
  if (expected.protocol === 'http:' || expected.protocol === 'https:') {
    return (frameUrl) => {
      const actual = parseUrl(frameUrl);
      return actual !== null && actual.origin === expected.origin;
    };
  }
  throw new TypeError(`Renderer URL must be file:, http: or https:, got ${expected.protocol}`);
}

/**
 * Links the app may open in the user's browser: plain http(s) with a host and no embedded
 * credentials. Everything else (file:, javascript:, custom protocol handlers, …) is refused,
 * because shell.openExternal would hand it to whatever program claims that scheme.
 */
export function isSafeExternalUrl(text: string): boolean {
  if (text.length > 2048) return false;
  const url = parseUrl(text);
  if (url === null) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  return url.hostname.length > 0 && url.username === '' && url.password === '';
}

/**
 * The main window and the session hardening around it. The renderer is treated as untrusted content:
 * it runs sandboxed with context isolation, cannot navigate away, open windows, attach webviews or
 * get permissions, and only reaches the backend through the preload's typed API.
 */
import { BrowserWindow, shell, type Session } from 'electron';
import { isSafeExternalUrl } from './ipc/security-policy';

export interface RendererTarget {
  /** The URL the window shows: the dev server in development, the built index.html otherwise. */
  url: string;
  /** Set when the renderer is a built file, so it can be loaded with loadFile. */
  filePath: string | null;
}

export interface MainWindowOptions {
  renderer: RendererTarget;
  preloadPath: string;
  iconPath: string | undefined;
}

/** Hands http(s) links to the user's browser after the safety check; everything else is dropped. */
function openExternalIfSafe(url: string): void {
  if (!isSafeExternalUrl(url)) {
    console.warn(`[window] blocked opening ${url.slice(0, 200)}`);
    return;
  }
  shell.openExternal(url).catch((error: unknown) => {
    console.warn(`[window] could not open ${url.slice(0, 200)}:`, error);
  });
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    title: 'Polaris',
    backgroundColor: '#f6f7f9',
    show: false, // shown on ready-to-show, so the user never sees a blank white frame
    ...(options.iconPath === undefined ? {} : { icon: options.iconPath }),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  });

  window.once('ready-to-show', () => window.show());

  // The UI is a single page: any navigation is either a link the user clicked (send it to the
  // browser if it is safe) or something we did not intend (drop it).
  window.webContents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternalIfSafe(url);
  });
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());

  const loading =
    options.renderer.filePath === null
      ? window.loadURL(options.renderer.url)
      : window.loadFile(options.renderer.filePath);
  loading.catch((error: unknown) => console.error('[window] failed to load the renderer:', error));
  return window;
}

/**
 * Applies the CSP as a response header to every response of the session (this covers the dev server;
 * built file:// pages have no headers, which is why index.html carries the same policy in a <meta>
 * tag) and refuses every permission: Polaris needs no camera, microphone, notifications,
 * geolocation, USB or clipboard access.
 */
export function hardenSession(session: Session, contentSecurityPolicy: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

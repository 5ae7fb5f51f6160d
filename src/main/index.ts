/**
 * Electron entry point: hardens the app, opens the database and the run queue in the user-data
 * folder, registers the IPC handlers over them, forwards service events to the windows and opens the
 * main window. Everything with logic lives in plain Node modules (./services, ./store, ./ipc/dispatch).
 */
/// <reference types="electron-vite/node" />
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, session } from 'electron';
import { createInvokeHandlers, createSendListeners, detectInstalledBackend, type FileDialogs } from './ipc/handlers';
import { registerHandlers, registerSendListeners, sendEvent } from './ipc/ipc-main';
import { AppServices } from './services/app-services';
// electron-vite bundles the worker as its own entry and hands us the path of the built file.
import trainingWorkerPath from './services/training-worker?modulePath';
import { CONTENT_SECURITY_POLICY, createTrustedSenderCheck, DEV_CONTENT_SECURITY_POLICY } from './ipc/security-policy';
import { createMainWindow, hardenSession, type RendererTarget } from './window';

// Forces the sandbox on for every renderer, including any a future change forgets to configure.
app.enableSandbox();

/** The dev server URL that `electron-vite dev` passes in; ignored in packaged builds. */
function devServerUrl(): string | null {
  const url = process.env['ELECTRON_RENDERER_URL'];
  return !app.isPackaged && url !== undefined && url.length > 0 ? url : null;
}

function resolveRendererTarget(): RendererTarget {
  const devUrl = devServerUrl();
  if (devUrl !== null) return { url: devUrl, filePath: null };
  // Build layout: out/main/index.js next to out/renderer/index.html.
  const filePath = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
  return { url: pathToFileURL(filePath).href, filePath };
}

function resolveIconPath(): string | undefined {
  const iconPath = join(app.getAppPath(), 'resources', 'icon.png');
  return existsSync(iconPath) ? iconPath : undefined;
}

/**
 * The system's open dialogs for the renderer's "Browse…" buttons. Only paths come back to the page;
 * Electron-only, so the Node services and `polaris serve` never see electron's dialog module.
 */
function electronFileDialogs(): FileDialogs {
  const show = async (options: Electron.OpenDialogOptions): Promise<string | null> => {
    const parent = BrowserWindow.getFocusedWindow();
    const result = parent === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(parent, options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  return {
    openFolder: (title) => show({ ...(title === undefined ? {} : { title }), properties: ['openDirectory'] }),
    openFile: (title, extensions) =>
      show({ ...(title === undefined ? {} : { title }), properties: ['openFile'], filters: [{ name: extensions.join(', ').toUpperCase(), extensions: [...extensions] }] }),
  };
}

function openMainWindow(renderer: RendererTarget): BrowserWindow {
  return createMainWindow({
    renderer,
    // Sandboxed preloads must be CommonJS; electron.vite.config.ts emits index.cjs.
    preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
    iconPath: resolveIconPath(),
  });
}

/**
 * The database and run queue in the user-data folder. A database from a newer Polaris (or any other
 * failure to open it) is explained in a dialog and ends the app, leaving the file untouched.
 */
function openServices(): AppServices | null {
  try {
    return new AppServices({
      dataDir: app.getPath('userData'),
      appVersion: app.getVersion(),
      workerEntry: { script: trainingWorkerPath },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox('Polaris cannot open its database', message);
    app.exit(1);
    return null;
  }
}

/** Stops a running job at a batch boundary (it stays resumable) and closes the database before quitting. */
function closeServicesBeforeQuit(services: AppServices): void {
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    services
      .close()
      .catch((error: unknown) => console.error('[main] closing the services failed:', error))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}

// A second instance would fight over the same run store; focus the first one instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window === undefined) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  // Belt and braces for any web contents created later (devtools, future windows).
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      const renderer = resolveRendererTarget();
      hardenSession(session.defaultSession, renderer.filePath === null ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);

      const services = openServices();
      if (services === null) return;
      const policy = { isTrustedSender: createTrustedSenderCheck(renderer.url) };
      registerHandlers(
        createInvokeHandlers({
          getVersion: () => app.getVersion(),
          getBackend: () => detectInstalledBackend(),
          platform: process.platform,
          services,
          dialogs: electronFileDialogs(),
        }),
        policy,
      );
      registerSendListeners(createSendListeners(), policy);
      services.events.subscribe((event, payload) => {
        for (const window of BrowserWindow.getAllWindows()) sendEvent(window.webContents, event, payload);
      });
      closeServicesBeforeQuit(services);

      openMainWindow(renderer);
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openMainWindow(renderer);
      });
    })
    .catch((error: unknown) => {
      console.error('[main] startup failed:', error);
      app.exit(1);
    });
}

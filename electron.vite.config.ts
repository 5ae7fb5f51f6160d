import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

// import.meta.url (not import.meta.dirname) because electron-vite rewrites it when bundling this file.
const projectRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Dev server only: React Fast Refresh injects an inline preamble script, which the production CSP in
 * index.html forbids. Relax script-src for `electron-vite dev` and never for a build.
 */
function allowInlineScriptsInDevServer(): Plugin {
  return {
    name: 'polaris:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self';", "script-src 'self' 'unsafe-inline';"),
  };
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // An input rather than build.lib: electron-vite's ?modulePath sub-build (the training worker)
        // replaces the input, which it cannot do for a lib entry.
        input: resolve(projectRoot, 'src/main/index.ts'),
        // Native and heavy modules are loaded from node_modules at run time, never bundled.
        external: [/^@tensorflow\//, 'better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      lib: { entry: resolve(projectRoot, 'src/preload/index.ts') },
      // Sandboxed preloads cannot require() from node_modules: bundle zod and the contract inline.
      externalizeDeps: false,
      rollupOptions: {
        // Sandboxed preloads must be CommonJS; .cjs because package.json says "type": "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(projectRoot, 'src/renderer'),
    build: {
      rollupOptions: { input: resolve(projectRoot, 'src/renderer/index.html') },
    },
    plugins: [react(), allowInlineScriptsInDevServer()],
  },
});

/**
 * Lint setup: the recommended JS and TypeScript rules, plus "local/code-layering", which enforces the
 * one-way imports between the folders under src/ (modelled on VS Code's code-layering rule):
 *
 *   src/shared  ←  src/ml  ←  src/main  ←  src/cli
 *        ↖ src/preload, src/renderer (see only src/shared)
 *
 * Every layer's rules live in one table, LAYERS, below. tests/, bench/ and scripts/ may import anything.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const PROJECT_ROOT = path.dirname(fileURLToPath(import.meta.url));

const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/**
 * @typedef {object} Layer
 * @property {string} folder           the layer's folder, relative to the project root
 * @property {string[]} mayImportLayers layer folders (other than its own) it may import from
 * @property {'allow' | 'deny'} packageRule whether `packages` lists the only allowed packages or the forbidden ones
 * @property {string[]} packages        package names; "node:*" means every Node built-in, "x/*" a scope or subpaths
 * @property {string} why               the reason, shown in every message
 */

/** @type {Layer[]} */
const LAYERS = [
  {
    folder: 'src/shared',
    mayImportLayers: [],
    packageRule: 'allow',
    packages: ['zod'],
    why: 'shared holds types and the IPC contract: it imports nothing but zod',
  },
  {
    folder: 'src/ml',
    mayImportLayers: ['src/shared'],
    packageRule: 'deny',
    packages: ['node:*', 'electron', 'electron/*', 'better-sqlite3'],
    why: 'ML layer is pure: no fs, electron or sqlite',
  },
  {
    folder: 'src/main',
    mayImportLayers: ['src/shared', 'src/ml'],
    packageRule: 'deny',
    packages: [],
    why: 'main sees shared and ml, never the UI layers or the CLI',
  },
  {
    folder: 'src/preload',
    mayImportLayers: ['src/shared'],
    packageRule: 'allow',
    packages: ['electron'],
    why: 'preload sees only src/shared and electron',
  },
  {
    folder: 'src/renderer',
    mayImportLayers: ['src/shared'],
    packageRule: 'allow',
    packages: ['react', 'react/*', 'react-dom', 'react-dom/*', 'plotly.js', 'plotly.js-*', 'react-plotly.js'],
    why: 'renderer sees only src/shared, react, react-dom and plotly',
  },
  {
    folder: 'src/cli',
    mayImportLayers: ['src/shared', 'src/ml', 'src/main'],
    packageRule: 'deny',
    packages: ['electron', 'electron/*'],
    why: 'the CLI runs headless in plain Node: never electron',
  },
];

/** Folders that may import src/, but that src/ must never import. */
const NON_PRODUCTION_FOLDERS = ['tests', 'bench', 'scripts'];

/** @param {string} filePath absolute or project-relative path @returns {Layer | undefined} */
function layerOf(filePath) {
  const relative = path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, filePath)).split(path.sep).join('/');
  return LAYERS.find((layer) => relative === layer.folder || relative.startsWith(`${layer.folder}/`));
}

/** "@scope/pkg/sub" → "@scope/pkg", "pkg/sub" → "pkg", "node:fs/promises" → "node:fs". @param {string} specifier */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @param {string} specifier */
function isNodeBuiltin(specifier) {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(packageNameOf(specifier));
}

/** Does one `packages` entry match a bare specifier? @param {string} pattern @param {string} specifier */
function matchesPackagePattern(pattern, specifier) {
  if (pattern === 'node:*') return isNodeBuiltin(specifier);
  if (pattern.endsWith('/*')) return specifier.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('-*')) return packageNameOf(specifier).startsWith(pattern.slice(0, -1));
  return specifier === pattern;
}

/**
 * Why `specifier` may not be imported from a file of `layer`, or null when it may.
 * @param {Layer} layer @param {string} specifier @param {string} importingFile
 */
function violation(layer, specifier, importingFile) {
  const bare = specifier.split('?')[0]; // Vite suffixes such as ?raw or ?url do not change the target
  if (bare.startsWith('.') || path.isAbsolute(bare)) {
    const target = path.resolve(path.dirname(importingFile), bare);
    const shown = path.relative(PROJECT_ROOT, target).split(path.sep).join('/');
    if (NON_PRODUCTION_FOLDERS.some((folder) => shown === folder || shown.startsWith(`${folder}/`))) {
      return `${layer.folder} must not import ${shown} (app code never depends on tests, bench or scripts)`;
    }
    const targetLayer = layerOf(target);
    if (targetLayer === undefined || targetLayer === layer || layer.mayImportLayers.includes(targetLayer.folder)) {
      return null;
    }
    return `${layer.folder} must not import ${shown} (${layer.why})`;
  }
  const listed = layer.packages.some((pattern) => matchesPackagePattern(pattern, bare));
  const allowed = layer.packageRule === 'allow' ? listed : !listed;
  return allowed ? null : `${layer.folder} must not import ${bare} (${layer.why})`;
}

/** @type {import('eslint').Rule.RuleModule} */
const codeLayeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep imports between the src/ layers one-way (see LAYERS in eslint.config.js)' },
    schema: [],
    messages: { layer: '{{message}}' },
  },
  create(context) {
    const importingFile = context.filename;
    const layer = layerOf(importingFile);
    if (layer === undefined) return {};

    /** @param {import('estree').Node | null | undefined} source */
    function check(source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const message = violation(layer, source.value, importingFile);
      if (message !== null) context.report({ node: source, messageId: 'layer', data: { message } });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // require('x') in .cjs/.js files and `import x = require('x')` in TypeScript
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) {
          const [argument] = node.arguments;
          if (argument.type === 'Literal') check(argument);
        }
      },
      /** @param {import('@typescript-eslint/types').TSESTree.TSExternalModuleReference} node */
      TSExternalModuleReference: (node) => check(/** @type {import('estree').Node} */ (node.expression)),
      /** @param {import('@typescript-eslint/types').TSESTree.TSImportType} node `import('x').T` in a type */
      TSImportType: (node) => check(/** @type {import('estree').Node} */ (node.source)),
    };
  },
};

const localPlugin = { rules: { 'code-layering': codeLayeringRule } };

/** Node globals for the plain-JS files (bin/, scripts/); TypeScript files get them from @types/node. */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval',
    'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'TextEncoder',
    'TextDecoder', 'AbortController', 'AbortSignal', 'performance', 'fetch', 'global', '__dirname', '__filename',
    'require', 'module', 'exports',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  { ignores: ['out/', 'node_modules/', 'dist/', 'coverage/', 'runs/', '.polaris-cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['src/**/*.{ts,tsx,js,mjs,cjs}'],
    plugins: { local: localPlugin },
    rules: { 'local/code-layering': 'error' },
  },
);

#!/usr/bin/env node
/**
 * Runs one TypeScript file through tsx's ESM API, without a build step:
 *   node bin/run-ts.js path/to/file.ts [args…]
 * The script sees process.argv as if it had been started directly: [node, file.ts, args…].
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bin/run-ts.js <file.ts> [args…]');
  process.exit(2);
}
process.argv.splice(1, 1); // drop this launcher: argv[1] is now the .ts file
register();
await import(pathToFileURL(path.resolve(file)).href);

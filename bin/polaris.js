#!/usr/bin/env node
// The `polaris` command: runs the TypeScript CLI through tsx (a runtime dependency), so the package
// works straight from a clone with `npx polaris` and needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// The wasm backend keeps handles open; exit explicitly once the command has finished.
process.exit(code);

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { serveDataDir } from '../../main/server';
import { defaultDataDir } from '../../main/services/data-dir';
import { appVersion } from '../../main/services/train-job';
import { numberFlag, parse, stringFlag } from '../args';
import { EXIT } from '../output';

export const SERVE_HELP = `polaris serve [--port P] [--data-dir DIR]

Serves the desktop app's services and its window to a browser on this machine: the same typed
contract as the Electron app, over a WebSocket bound to 127.0.0.1 only, with a new random token at
every start. Open the printed URL (the token travels in its #fragment). From another computer, use
an SSH tunnel (ssh -L P:127.0.0.1:P workstation); nothing listens on other interfaces.

  --port P          port (default: a free one)
  --data-dir DIR    database and runs (default: the desktop app's folder, or POLARIS_DATA_DIR)

The window is served from out/renderer: run \`npm run build\` once first.`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, 'data-dir': { type: 'string' } }, 'serve');
  if (values.help) {
    process.stdout.write(`${SERVE_HELP}\n`);
    return EXIT.ok;
  }
  const staticDir = fileURLToPath(new URL('../../../out/renderer', import.meta.url));
  const hasUi = existsSync(resolve(staticDir, 'index.html'));
  const dataDir = resolve(stringFlag(values, 'data-dir') ?? defaultDataDir());
  const server = await serveDataDir({
    dataDir,
    appVersion: appVersion(),
    port: numberFlag(values, 'port', { integer: true, min: 0 }),
    staticDir: hasUi ? staticDir : null,
    log: console,
  });
  process.stderr.write(`Polaris services on ${server.url} (data: ${dataDir})\n`);
  if (hasUi) process.stdout.write(`Open ${server.appUrl}\n`);
  else process.stderr.write(`No built window in ${staticDir}: run \`npm run build\` to serve it; the WebSocket API is at ${server.wsUrl}\n`);
  process.stderr.write('Ctrl-C stops the server; a running training job stops after its batch and can be resumed.\n');
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}

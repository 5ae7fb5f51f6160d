/**
 * The folder Electron uses as app.getPath('userData') for this app, computed without Electron, so
 * `polaris serve` opens the same database and runs as the desktop app on the same account.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** package.json "name": Electron names the user-data folder after it (there is no productName). */
export const APP_DATA_FOLDER_NAME = 'polaris';

export function defaultDataDir(environment: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = environment['POLARIS_DATA_DIR'];
  if (override !== undefined && override !== '') return override;
  if (platform === 'win32') return join(environment['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), APP_DATA_FOLDER_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DATA_FOLDER_NAME);
  const configHome = environment['XDG_CONFIG_HOME'];
  return join(configHome !== undefined && configHome !== '' ? configHome : join(homedir(), '.config'), APP_DATA_FOLDER_NAME);
}

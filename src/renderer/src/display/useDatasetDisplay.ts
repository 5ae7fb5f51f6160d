/**
 * A dataset's display settings with a default that suits its data: 8-bit images are shown as stored
 * (linear), anything deeper (16-bit, float FITS) with the percentile stretch, which ignores hot pixels.
 * Also reports the most bands any file has, for the band → RGB controls.
 */
import type { DisplaySettings } from '../../../shared/ipc';
import { useInvoke } from '../api/hooks';
import { useDisplaySettings } from './DisplaySettingsContext';

export interface DatasetDisplay {
  settings: DisplaySettings;
  setSettings(settings: DisplaySettings): void;
  /** Most bands of any readable file, or null while unknown. */
  channels: number | null;
}

export function useDatasetDisplay(datasetId: number | null, knownChannels: number | null = null): DatasetDisplay {
  const { loadable } = useInvoke('datasets:inspection', datasetId === null ? null : [{ datasetId }], String(datasetId));
  const inspection = loadable.state === 'ready' ? loadable.value : null;
  const allEightBit = inspection !== null && inspection.bitDepths.length > 0 && inspection.bitDepths.every((entry) => entry.bitDepth === 8);
  const fallback: DisplaySettings = { stretch: allEightBit ? 'linear' : 'percentile', bands: null };
  const [settings, setSettings] = useDisplaySettings(datasetId, fallback);
  const channels = inspection !== null && inspection.shapes.length > 0 ? Math.max(...inspection.shapes.map((shape) => shape.channels)) : knownChannels;
  return { settings, setSettings, channels };
}

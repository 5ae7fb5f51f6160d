/**
 * The display settings (stretch and band → RGB mapping) of each dataset, shared by every view and
 * remembered across sessions, so the gallery, the detail view and the import preview agree.
 */
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { DisplaySettings } from '../../../shared/ipc';

const STORAGE_KEY = 'polaris.display-settings';

/** Percentile stretch: robust for 16-bit and FITS data. Views pass a better default when they know the data. */
export const DEFAULT_DISPLAY: DisplaySettings = { stretch: 'percentile', bands: null };

type SettingsByDataset = Record<string, DisplaySettings>;

const STRETCHES: readonly string[] = ['linear', 'percentile', 'asinh'];

/** Stored values are checked before use: a stale or hand-edited entry must not break every thumbnail. */
function isDisplaySettings(value: unknown): value is DisplaySettings {
  if (typeof value !== 'object' || value === null) return false;
  const { stretch, bands } = value as { stretch?: unknown; bands?: unknown };
  const bandsValid =
    bands === null || (Array.isArray(bands) && (bands.length === 1 || bands.length === 3) && bands.every((band) => Number.isInteger(band) && band >= 0 && band < 1024));
  return typeof stretch === 'string' && STRETCHES.includes(stretch) && bandsValid;
}

function readStored(): SettingsByDataset {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw === null ? {} : JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, DisplaySettings] => isDisplaySettings(entry[1])));
  } catch {
    return {};
  }
}

interface DisplayContextValue {
  settingsFor(datasetId: number | null, fallback: DisplaySettings): DisplaySettings;
  setSettings(datasetId: number, settings: DisplaySettings): void;
}

const DisplayContext = createContext<DisplayContextValue | null>(null);

export function DisplaySettingsProvider({ children }: { children: ReactNode }) {
  const [byDataset, setByDataset] = useState<SettingsByDataset>(readStored);

  const settingsFor = useCallback(
    (datasetId: number | null, fallback: DisplaySettings) => (datasetId === null ? fallback : (byDataset[String(datasetId)] ?? fallback)),
    [byDataset],
  );

  const setSettings = useCallback((datasetId: number, settings: DisplaySettings) => {
    setByDataset((current) => {
      const next = { ...current, [String(datasetId)]: settings };
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // kept for this session only
      }
      return next;
    });
  }, []);

  return <DisplayContext.Provider value={{ settingsFor, setSettings }}>{children}</DisplayContext.Provider>;
}

/** The settings the user chose for a dataset, else `fallback`; and the function that changes them. */
export function useDisplaySettings(datasetId: number | null, fallback: DisplaySettings = DEFAULT_DISPLAY): [DisplaySettings, (settings: DisplaySettings) => void] {
  const context = useContext(DisplayContext);
  if (context === null) throw new Error('useDisplaySettings() needs a <DisplaySettingsProvider> above it');
  const settings = context.settingsFor(datasetId, fallback);
  const update = useCallback(
    (next: DisplaySettings) => {
      if (datasetId !== null) context.setSettings(datasetId, next);
    },
    [context, datasetId],
  );
  return [settings, update];
}

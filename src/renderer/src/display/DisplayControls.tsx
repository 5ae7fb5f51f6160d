/**
 * The stretch and the band → RGB mapping of a dataset's images. Every thumbnail of the dataset (import
 * preview, gallery, detail view) is drawn with these settings.
 */
import { useId } from 'react';
import type { DisplaySettings, StretchKind } from '../../../shared/ipc';

const STRETCH_OPTIONS: readonly { value: StretchKind; label: string; hint: string }[] = [
  { value: 'linear', label: 'Linear', hint: '8-bit images as stored; deeper data from its minimum to its maximum' },
  { value: 'percentile', label: 'Percentile (0.5–99.5 %)', hint: 'Ignores a few hot or dead pixels: good for 16-bit and FITS data' },
  { value: 'asinh', label: 'Asinh', hint: 'Lifts faint structure while keeping bright cores visible: good for astronomy' },
];

const CHANNEL_NAMES = ['Red', 'Green', 'Blue'] as const;

function bandLabel(band: number): string {
  return `Band ${band + 1}`;
}

export function DisplayControls({ settings, onChange, channels }: { settings: DisplaySettings; onChange: (settings: DisplaySettings) => void; channels: number | null }) {
  const id = useId();
  const bandCount = channels ?? 1;
  const mode: 'auto' | 'grey' | 'rgb' = settings.bands === null ? 'auto' : settings.bands.length === 1 ? 'grey' : 'rgb';
  const stretchHint = STRETCH_OPTIONS.find((option) => option.value === settings.stretch)?.hint;
  const bands = Array.from({ length: bandCount }, (_, band) => band);
  const rgb: [number, number, number] =
    settings.bands !== null && settings.bands.length === 3 ? settings.bands : [0, Math.min(1, bandCount - 1), Math.min(2, bandCount - 1)];

  return (
    <fieldset className="display-controls">
      <legend>Display</legend>
      <div className="field">
        <label htmlFor={`${id}-stretch`}>Stretch</label>
        <select id={`${id}-stretch`} value={settings.stretch} onChange={(event) => onChange({ ...settings, stretch: event.target.value as StretchKind })} aria-describedby={`${id}-stretch-hint`}>
          {STRETCH_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <span id={`${id}-stretch-hint`} className="field-hint">
          {stretchHint}
        </span>
      </div>
      {bandCount > 1 && (
        <div className="field">
          <label htmlFor={`${id}-mode`}>Bands</label>
          <select
            id={`${id}-mode`}
            value={mode}
            onChange={(event) => {
              const value = event.target.value;
              onChange({ ...settings, bands: value === 'auto' ? null : value === 'grey' ? [0] : rgb });
            }}
          >
            <option value="auto">{bandCount >= 3 ? 'Bands 1–3 as RGB' : 'Band 1 in grey'}</option>
            <option value="grey">One band in grey</option>
            <option value="rgb">Choose bands for red, green, blue</option>
          </select>
        </div>
      )}
      {bandCount > 1 && mode === 'grey' && settings.bands !== null && (
        <div className="field">
          <label htmlFor={`${id}-grey`}>Band shown</label>
          <select id={`${id}-grey`} value={settings.bands[0]} onChange={(event) => onChange({ ...settings, bands: [Number(event.target.value)] })}>
            {bands.map((band) => (
              <option key={band} value={band}>
                {bandLabel(band)}
              </option>
            ))}
          </select>
        </div>
      )}
      {bandCount > 1 && mode === 'rgb' && (
        <div className="band-mapping" role="group" aria-label="Band shown as each colour">
          {CHANNEL_NAMES.map((channelName, position) => (
            <div className="field compact" key={channelName}>
              <label htmlFor={`${id}-rgb-${position}`}>
                <span className={`swatch swatch-${channelName.toLowerCase()}`} aria-hidden="true" />
                {channelName}
              </label>
              <select
                id={`${id}-rgb-${position}`}
                value={rgb[position]}
                onChange={(event) => {
                  const next: [number, number, number] = [...rgb];
                  next[position] = Number(event.target.value);
                  onChange({ ...settings, bands: next });
                }}
              >
                {bands.map((band) => (
                  <option key={band} value={band}>
                    {bandLabel(band)}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
      )}
    </fieldset>
  );
}

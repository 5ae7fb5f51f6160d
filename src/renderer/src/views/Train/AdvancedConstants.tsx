/**
 * Every constant of method.md with its default and its one-line documentation. Constants a run can
 * override are editable; the rest are shown so the whole configuration is visible before training.
 */
import { useId } from 'react';
import type { ConfigDefaults } from '../../../../shared/ipc';
import { FORM_KEYS, valueToText } from './config-fields';

export interface AdvancedConstantsProps {
  defaults: ConfigDefaults;
  /** Text typed per constant; absent = the default. */
  texts: Readonly<Record<string, string>>;
  booleans: Readonly<Record<string, boolean>>;
  errors: Readonly<Record<string, string>>;
  onText(key: string, text: string): void;
  onBoolean(key: string, value: boolean): void;
  onReset(): void;
}

export function AdvancedConstants({ defaults, texts, booleans, errors, onText, onBoolean, onReset }: AdvancedConstantsProps) {
  const id = useId();
  const keys = Object.keys(defaults.defaults).filter((key) => !FORM_KEYS.has(key));
  const overridable = new Set(defaults.overridable);
  const changedCount = keys.filter((key) => (texts[key] ?? '') !== '' || booleans[key] !== undefined).length;

  return (
    <details className="advanced" data-testid="advanced-constants">
      <summary>
        Advanced constants of method.md <span className="muted">({keys.length} constants{changedCount > 0 ? `, ${changedCount} changed` : ', all at their defaults'})</span>
      </summary>
      <div className="advanced-body">
        <p className="muted small">Leave a field empty to keep its default. Changing these reproduces or departs from the paper deliberately.</p>
        <table className="table constants-table">
          <thead>
            <tr>
              <th scope="col">Constant</th>
              <th scope="col">Value</th>
              <th scope="col">Default</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => {
              const defaultValue = defaults.defaults[key];
              const inputId = `${id}-${key}`;
              const error = errors[key];
              const editable = overridable.has(key);
              return (
                <tr key={key}>
                  <th scope="row">
                    <label htmlFor={inputId}>
                      <code>{key}</code>
                    </label>
                  </th>
                  <td>
                    {typeof defaultValue === 'boolean' ? (
                      <input id={inputId} type="checkbox" checked={booleans[key] ?? defaultValue} onChange={(event) => onBoolean(key, event.target.checked)} disabled={!editable} />
                    ) : (
                      <input
                        id={inputId}
                        type="text"
                        inputMode="decimal"
                        className="input compact"
                        value={texts[key] ?? ''}
                        placeholder={defaultValue === null ? 'auto' : valueToText(defaultValue)}
                        onChange={(event) => onText(key, event.target.value)}
                        disabled={!editable}
                        aria-invalid={error !== undefined}
                        aria-describedby={error !== undefined ? `${inputId}-error` : undefined}
                      />
                    )}
                    {error !== undefined && (
                      <span id={`${inputId}-error`} className="field-error">
                        {error}
                      </span>
                    )}
                  </td>
                  <td className="numeric">
                    <code>{defaultValue === null ? 'auto' : valueToText(defaultValue)}</code>
                  </td>
                  <td className="muted">{defaults.help[key] ?? ''}{editable ? '' : ' (fixed in this version)'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {changedCount > 0 && (
          <button type="button" className="button small" onClick={onReset}>
            Reset all to defaults
          </button>
        )}
      </div>
    </details>
  );
}

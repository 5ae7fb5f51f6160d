/**
 * A path typed into a text field, with the recent paths as suggestions and, in the Electron window, a
 * "Browse…" button that opens the system's dialog. Browsers have no access to local paths, so there
 * the field is all there is.
 */
import { useId, useState } from 'react';
import { useApi, useBackendKind } from '../api/ApiContext';
import { call, toIpcError } from '../api/call';

export interface PathFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** 'folder' opens a folder dialog, 'csv' a file dialog for CSV files. */
  browse: 'folder' | 'csv';
  recent: readonly string[];
  placeholder: string;
  hint: string;
  error: string | null;
  optional?: boolean;
  testId?: string;
}

export function PathField({ label, value, onChange, browse, recent, placeholder, hint, error, optional = false, testId }: PathFieldProps) {
  const id = useId();
  const api = useApi();
  const kind = useBackendKind();
  const [browseError, setBrowseError] = useState<string | null>(null);

  const openDialog = async (): Promise<void> => {
    setBrowseError(null);
    try {
      const { path } =
        browse === 'folder' ? await call(api, 'dialog:open-folder', { title: label }) : await call(api, 'dialog:open-file', { title: label, extensions: ['csv'] });
      if (path !== null) onChange(path);
    } catch (thrown) {
      setBrowseError(toIpcError(thrown).message);
    }
  };

  const message = error ?? browseError;
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>
        {label}
        {optional && <span className="muted"> (optional)</span>}
      </label>
      <div className="path-row">
        <input
          id={`${id}-input`}
          className="input path-input"
          type="text"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          placeholder={placeholder}
          list={recent.length > 0 ? `${id}-recent` : undefined}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={message !== null}
          aria-describedby={`${id}-hint`}
          data-testid={testId}
        />
        {kind === 'electron' && (
          <button type="button" className="button" onClick={() => void openDialog()}>
            Browse…
          </button>
        )}
      </div>
      {recent.length > 0 && (
        <datalist id={`${id}-recent`}>
          {recent.map((path) => (
            <option key={path} value={path} />
          ))}
        </datalist>
      )}
      <span id={`${id}-hint`} className={message !== null ? 'field-error' : 'field-hint'}>
        {message ?? hint}
      </span>
    </div>
  );
}

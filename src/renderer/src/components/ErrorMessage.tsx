import type { IpcError } from '../../../shared/ipc-errors';
import { describeError } from '../lib/describe-error';

/** An error in words a scientist can act on: a title, the backend's detail, and what to try. */
export function ErrorMessage({ error, onDismiss }: { error: IpcError; onDismiss?: () => void }) {
  const { title, detail, hint } = describeError(error);
  return (
    <div className="error-message" role="alert">
      <div className="error-text">
        <strong>{title}</strong>
        <p className="error-detail">{detail}</p>
        {hint !== null && <p className="error-hint">{hint}</p>}
      </div>
      {onDismiss !== undefined && (
        <button type="button" className="button ghost small" onClick={onDismiss} aria-label="Dismiss this message">
          Dismiss
        </button>
      )}
    </div>
  );
}

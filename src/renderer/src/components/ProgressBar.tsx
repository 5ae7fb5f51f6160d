/**
 * A labelled progress bar (role="progressbar" with its value for screen readers). `value` null draws an
 * indeterminate bar for work whose size is not known yet.
 */
export function ProgressBar({ label, value, max, detail }: { label: string; value: number | null; max: number; detail?: string }) {
  const fraction = value === null || max <= 0 ? null : Math.min(1, Math.max(0, value / max));
  return (
    <div className="progress">
      <div className="progress-labels">
        <span>{label}</span>
        {detail !== undefined && <span className="muted">{detail}</span>}
      </div>
      <div
        className={fraction === null ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        {...(value === null ? {} : { 'aria-valuenow': value })}
        {...(detail === undefined ? {} : { 'aria-valuetext': detail })}
      >
        <div className="progress-fill" style={fraction === null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}

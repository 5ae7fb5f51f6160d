/** The compared runs' settings side by side: by default only those that differ, each differing value highlighted. */
import { useId, useState } from 'react';
import type { RunComparison } from '../../../../shared/ipc-insight';
import { runShortName } from '../Insight/common';

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return String(Number(value.toPrecision(6)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function ConfigDifferences({ comparison }: { comparison: RunComparison }) {
  const id = useId();
  const [showAll, setShowAll] = useState(false);
  const differing = comparison.config.filter((entry) => entry.differs);
  const rows = showAll ? comparison.config : differing;
  return (
    <section className="card insight-card" aria-labelledby={`${id}-heading`} data-testid="config-differences">
      <div className="card-header">
        <h3 id={`${id}-heading`} className="card-title">
          Settings <span className="muted small">· {differing.length} of {comparison.config.length} differ</span>
        </h3>
        <label className="check small">
          <input type="checkbox" checked={showAll} onChange={(event) => setShowAll(event.target.checked)} /> Show all
        </label>
      </div>
      <div className="table-scroll">
        <table className="table compact-table config-table">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              {comparison.runs.map((run) => (
                <th key={run.runId} scope="col" title={run.runId}>
                  {runShortName(run)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((entry) => {
              const reference = formatValue(entry.values[0]);
              return (
                <tr key={entry.key} data-differs={entry.differs}>
                  <th scope="row">
                    <code>{entry.key}</code>
                  </th>
                  {entry.values.map((value, position) => {
                    const text = formatValue(value);
                    // Highlight the values that differ from the first run's (the reference).
                    const differs = entry.differs && (position === 0 || text !== reference);
                    return (
                      <td key={comparison.runs[position]?.runId ?? position} className={differs ? 'differs numeric' : 'numeric'}>
                        {text}
                        {differs && <span className="visually-hidden"> (differs)</span>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {rows.length === 0 && (
              <tr>
                <td colSpan={comparison.runs.length + 1} className="muted">
                  The runs share every setting.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The histogram as a table, for keyboard and screen-reader users (and anyone who wants the numbers):
 * one row per bin, one column per series and group, each count a button that opens the bin's items.
 */
import type { AngleHistograms } from '../../../../shared/ipc-insight';

function formatEdge(value: number): string {
  return String(Number(value.toFixed(3)));
}

export function HistogramTable({
  histograms,
  seriesName,
  onOpenBin,
}: {
  histograms: AngleHistograms;
  seriesName(series: AngleHistograms['series'][number]): string;
  onOpenBin(series: number, group: string, bin: number): void;
}) {
  const columns = histograms.series.flatMap((series, seriesIndex) => series.groups.map((group) => ({ seriesIndex, series, group })));
  const bins = histograms.edges.length - 1;
  const unit = histograms.scale === 'degrees' ? '°' : '';
  return (
    <details className="histogram-table">
      <summary>Histogram as a table</summary>
      <div className="table-scroll">
        <table className="table compact-table" data-testid="angle-histogram-table">
          <thead>
            <tr>
              <th scope="col">Bin</th>
              {columns.map(({ seriesIndex, series, group }) => (
                <th key={`${seriesIndex}:${group.key}`} scope="col" className="numeric">
                  {group.label}
                  {histograms.series.length > 1 ? ` · ${seriesName(series)}` : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: bins }, (_, bin) => (
              <tr key={bin}>
                <th scope="row" className="numeric">
                  {formatEdge(histograms.edges[bin] as number)}
                  {unit} – {formatEdge(histograms.edges[bin + 1] as number)}
                  {unit}
                </th>
                {columns.map(({ seriesIndex, group }) => {
                  const count = group.counts[bin] ?? 0;
                  return (
                    <td key={`${seriesIndex}:${group.key}`} className="numeric">
                      {count === 0 ? (
                        <span className="muted">0</span>
                      ) : (
                        <button type="button" className="link-button" onClick={() => onOpenBin(seriesIndex, group.key, bin)} aria-label={`Open the ${count} ${group.label.toLowerCase()} items of bin ${bin + 1} in the gallery`}>
                          {count}
                        </button>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

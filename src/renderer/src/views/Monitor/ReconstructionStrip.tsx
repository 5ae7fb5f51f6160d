/**
 * A few items and the model's reconstructions of them, from the latest checkpoint: refreshed after every
 * epoch, so one can watch the model learn what the data look like.
 */
import { useEffect, useState } from 'react';
import type { Reconstructions } from '../../../../shared/ipc';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { ErrorMessage } from '../../components/ErrorMessage';
import { pngDataUrl } from '../../display/thumbnails';

const ITEMS_SHOWN = 6;

export function ReconstructionStrip({ runId, epochVersion, epochsCompleted }: { runId: string; epochVersion: number; epochsCompleted: number }) {
  const api = useApi();
  const [result, setResult] = useState<Reconstructions | null>(null);
  const [error, setError] = useState<IpcError | null>(null);

  useEffect(() => {
    if (epochsCompleted === 0) return;
    let live = true;
    call(api, 'runs:reconstructions', { runId, count: ITEMS_SHOWN })
      .then((value) => {
        if (!live) return;
        setResult(value);
        setError(null);
      })
      .catch((thrown: unknown) => {
        if (live) setError(toIpcError(thrown));
      });
    return () => {
      live = false;
    };
  }, [api, runId, epochVersion, epochsCompleted]);

  if (error !== null) return <ErrorMessage error={error} />;
  if (epochsCompleted === 0 || result === null || result.epochs === null) {
    return <p className="muted empty-note">Reconstructions appear when the first epoch has finished.</p>;
  }
  return (
    <div className="reconstructions" data-testid="reconstructions" data-epochs={result.epochs}>
      <p className="muted small">After epoch {result.epochs}: each input (top) and its reconstruction (below), normalized as the model sees them.</p>
      <ul className="reconstruction-list">
        {result.items.map((item) => (
          <li key={item.index} title={item.file}>
            <img src={pngDataUrl(item.original)} alt={`Input ${item.file}`} />
            <img src={pngDataUrl(item.reconstruction)} alt={`Reconstruction of ${item.file}`} />
          </li>
        ))}
      </ul>
    </div>
  );
}

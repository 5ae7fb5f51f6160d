/**
 * Importing a folder: its path (typed, picked from recent ones, or chosen with Browse… in Electron) and
 * optionally a labels CSV. Polaris hashes every file and decodes it once, with progress and a cancel
 * button; the result is the dataset's overview.
 */
import { useState, type FormEvent } from 'react';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { useBackendEvent } from '../../api/hooks';
import { ErrorMessage } from '../../components/ErrorMessage';
import { PathField } from '../../components/PathField';
import { ProgressBar } from '../../components/ProgressBar';
import { formatCount } from '../../lib/format';
import { newJobId } from '../../lib/job-id';
import { checkTypedPath, readRecentPaths, rememberPath } from '../../lib/recent-paths';

const RECENT_FOLDERS_KEY = 'polaris.recent-dataset-folders';
const RECENT_LABELS_KEY = 'polaris.recent-labels-files';

interface ImportJob {
  jobId: string;
  phase: string;
  done: number;
  total: number;
}

const PHASE_WORDS: Readonly<Record<string, string>> = {
  listing: 'Listing the files',
  hashing: 'Reading and hashing the files',
  decoding: 'Decoding every image',
};

export function ImportForm({ onImported }: { onImported(datasetId: number): void }) {
  const api = useApi();
  const [folder, setFolder] = useState('');
  const [labels, setLabels] = useState('');
  const [recentFolders, setRecentFolders] = useState(() => readRecentPaths(RECENT_FOLDERS_KEY));
  const [recentLabels, setRecentLabels] = useState(() => readRecentPaths(RECENT_LABELS_KEY));
  const [fieldErrors, setFieldErrors] = useState<{ folder: string | null; labels: string | null }>({ folder: null, labels: null });
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useBackendEvent('jobs:progress', (progress) => {
    setJob((current) => (current !== null && current.jobId === progress.jobId ? { ...current, phase: progress.phase, done: progress.done, total: progress.total } : current));
  });

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const folderProblem = checkTypedPath(folder, 'image folder');
    const labelsProblem = labels.trim() === '' ? null : checkTypedPath(labels, 'labels CSV');
    setFieldErrors({ folder: folderProblem, labels: labelsProblem });
    setError(null);
    setNotice(null);
    if (folderProblem !== null || labelsProblem !== null) return;

    const jobId = newJobId('import');
    setJob({ jobId, phase: 'listing', done: 0, total: 0 });
    try {
      const path = folder.trim();
      const labelsCsv = labels.trim();
      const result = await call(api, 'datasets:import', { path, jobId, ...(labelsCsv === '' ? {} : { labelsCsv }) });
      setRecentFolders(rememberPath(RECENT_FOLDERS_KEY, path));
      if (labelsCsv !== '') setRecentLabels(rememberPath(RECENT_LABELS_KEY, labelsCsv));
      onImported(result.summary.datasetId);
    } catch (thrown) {
      const failure = toIpcError(thrown);
      if (failure.name === 'AbortError') setNotice('Import cancelled. Nothing was changed.');
      else setError(failure);
    } finally {
      setJob(null);
    }
  };

  const cancel = (): void => {
    if (job !== null) void call(api, 'jobs:cancel', { jobId: job.jobId }).catch(() => undefined);
  };

  return (
    <form className="import-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="import-heading">
      <PathField
        label="Image folder"
        value={folder}
        onChange={setFolder}
        browse="folder"
        recent={recentFolders}
        placeholder="/data/rover-tiles"
        hint="PNG, JPEG, TIFF (8/16-bit, multi-band), FITS or .npy files; sub-folders included"
        error={fieldErrors.folder}
        testId="import-folder"
      />
      <PathField
        label="Labels CSV"
        value={labels}
        onChange={setLabels}
        browse="csv"
        recent={recentLabels}
        placeholder="/data/rover-tiles/labels.csv"
        hint="A column naming the files and a column of labels; used for metrics and shown on tiles"
        error={fieldErrors.labels}
        optional
        testId="import-labels"
      />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={job !== null} data-testid="import-submit">
          {job === null ? 'Import' : 'Importing…'}
        </button>
        {job !== null && (
          <button type="button" className="button" onClick={cancel} data-testid="import-cancel">
            Cancel
          </button>
        )}
      </div>
      {job !== null && (
        <ProgressBar
          label={PHASE_WORDS[job.phase] ?? job.phase}
          value={job.total > 0 ? job.done : null}
          max={Math.max(job.total, 1)}
          detail={job.total > 0 ? `${formatCount(job.done)} of ${formatCount(job.total)} files` : 'starting…'}
        />
      )}
      {notice !== null && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
    </form>
  );
}

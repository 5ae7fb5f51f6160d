import type { RunStatus } from '../../../shared/ipc';

const STATUS_WORDS: Readonly<Record<RunStatus, string>> = {
  queued: 'Queued',
  running: 'Training',
  done: 'Done',
  failed: 'Failed',
  interrupted: 'Stopped',
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span className={`badge status-${status}`}>{STATUS_WORDS[status]}</span>;
}

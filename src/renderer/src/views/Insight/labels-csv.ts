/** The user's labels of a run's items as CSV, with each item's score and rank in that run. */
import type { LabelledItem } from '../../../../shared/ipc-insight';
import { csvRow } from '../../lib/csv';

export const LABELS_CSV_HEADER = ['file', 'user_label', 'labelled_at', 'score', 'rank', 'dataset_label', 'anomaly', 'split', 'index'] as const;

export function labelsCsv(items: readonly LabelledItem[]): string {
  return csvRow(LABELS_CSV_HEADER) + items.map((item) => csvRow([item.file, item.userLabel, item.labelledAt, item.score, item.rank, item.label, item.anomaly, item.split, item.index])).join('');
}

/**
 * Turns backend errors into words a scientist can act on: what went wrong, in plain terms, and what to
 * try next. The backend's own message (which names files and fields) is always kept as the detail.
 */
import { IpcErrorNames, type IpcError } from '../../../shared/ipc-errors';

export interface ErrorDescription {
  title: string;
  detail: string;
  hint: string | null;
}

const DESCRIPTIONS: Readonly<Record<string, { title: string; hint: string | null }>> = {
  DatasetFileError: { title: 'A data file could not be used', hint: 'Check that the path exists and that the files are images Polaris reads (PNG, JPEG, TIFF, FITS, .npy).' },
  LabelsError: { title: 'The labels file could not be used', hint: 'The CSV needs a header row, one column naming the image files and one with the labels.' },
  NotFoundError: { title: 'Not found', hint: 'It may have been deleted or imported into another Polaris. Reload the list and choose again.' },
  RunQueueError: { title: 'The run could not be changed', hint: null },
  RunFolderError: { title: 'That folder is not a usable run folder', hint: 'Choose the folder `polaris train --out` wrote (it holds run.json).' },
  CheckpointError: { title: 'The checkpoint could not be read', hint: 'The run folder may be incomplete; start the run again.' },
  TrainingError: { title: 'Training stopped with an error', hint: 'Try a smaller learning rate or batch, or check the data for extreme values.' },
  TransportError: { title: 'Lost contact with Polaris', hint: 'If Polaris runs as `polaris serve`, check that it is still running, then reload this page.' },
  NoBackendError: { title: 'Not connected to Polaris', hint: null },
  RangeError: { title: 'A setting is out of range', hint: 'Adjust the highlighted setting and try again.' },
  [IpcErrorNames.invalidPayload]: { title: 'Some settings are not valid', hint: 'Correct the fields named below and try again.' },
  [IpcErrorNames.invalidResponse]: { title: 'Polaris answered in an unexpected form', hint: 'This is a bug; please report it with the text below.' },
  [IpcErrorNames.unknownChannel]: { title: 'This version of Polaris cannot do that yet', hint: 'The page and the backend may be from different versions: reload the page.' },
  [IpcErrorNames.untrustedSender]: { title: 'Request refused', hint: 'Only the Polaris window may talk to the backend.' },
  [IpcErrorNames.notImplemented]: { title: 'Not available in this build', hint: null },
  AbortError: { title: 'Cancelled', hint: null },
};

/** Strips the "Invalid payload for channel:" prefix: the field list after it is what people need. */
function cleanDetail(error: IpcError): string {
  return error.message.replace(/^Invalid payload for [\w:-]+: /, '');
}

export function describeError(error: IpcError): ErrorDescription {
  const known = DESCRIPTIONS[error.name];
  if (known !== undefined) return { title: known.title, detail: cleanDetail(error), hint: known.hint };
  return { title: 'Something went wrong', detail: error.message || error.name, hint: null };
}

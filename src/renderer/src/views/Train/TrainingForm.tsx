/**
 * Training setup: the dataset (and which labels mark known anomalies), the method, the main settings
 * with their defaults, and every advanced constant. Mistakes are caught field by field before the run
 * is queued; what the backend still refuses is shown with the field it names.
 */
import { useId, useState, type FormEvent } from 'react';
import type { ConfigDefaults, DatasetRecord, DatasetSpecInput, RunConfigOverrides } from '../../../../shared/ipc';
import type { IpcError } from '../../../../shared/ipc-errors';
import { useApi } from '../../api/ApiContext';
import { call, toIpcError } from '../../api/call';
import { useBackendEvent } from '../../api/hooks';
import { formatRoute, navigate } from '../../app/router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { baseName, formatCount } from '../../lib/format';
import { newJobId } from '../../lib/job-id';
import { AdvancedConstants } from './AdvancedConstants';
import { BASIC_FIELDS, changedOverrides, checkBasicField, IMAGE_SIZES, parseFieldText, valueToText, type ImageSize } from './config-fields';

interface MethodChoice {
  id: string;
  title: string;
  text: string;
}

const METHOD_CHOICES: readonly MethodChoice[] = [
  { id: 'comp', title: 'Comp.VAE', text: 'Every latent angle pulled to the north pole: the paper’s method' },
  { id: 'vmf', title: 'Comp.VAE, vMF', text: 'Only the first angle compressed' },
  { id: 'vae', title: 'VAE', text: 'Standard Gaussian VAE baseline' },
  { id: 'ae', title: 'Autoencoder', text: 'Plain autoencoder baseline' },
  { id: 'pixel-knn', title: 'Pixel k-NN', text: 'No training: k-NN on normalized pixels' },
  { id: 'pixel-iforest', title: 'Pixel Isolation Forest', text: 'No training: Isolation Forest on pixels' },
];

export interface TrainingFormProps {
  defaults: ConfigDefaults;
  datasets: readonly DatasetRecord[];
  initialDatasetId: number | null;
  onStarted(): void;
}

/** The settings a pixel baseline uses; the model's (latent size, epochs, batch, learning rate) do not apply. */
const BASELINE_FIELDS: ReadonlySet<string> = new Set(['seed', 'knnK']);

/** The configured default input size (method.md §8: 32), or 32 when the backend names another. */
function defaultImageSize(defaults: ConfigDefaults): ImageSize {
  const configured = defaults.defaults['imageSize'];
  return IMAGE_SIZES.find((size) => size === configured) ?? 32;
}

export function TrainingForm({ defaults, datasets, initialDatasetId, onStarted }: TrainingFormProps) {
  const api = useApi();
  const id = useId();
  const folderDatasets = datasets.filter((dataset) => dataset.kind === 'folder');
  const [datasetId, setDatasetId] = useState<number | null>(initialDatasetId ?? folderDatasets[0]?.datasetId ?? null);
  const dataset = folderDatasets.find((candidate) => candidate.datasetId === datasetId);
  const [anomalyClasses, setAnomalyClasses] = useState('');
  const [method, setMethod] = useState(typeof defaults.defaults['method'] === 'string' ? defaults.defaults['method'] : 'comp');
  const [imageSize, setImageSize] = useState<ImageSize>(() => defaultImageSize(defaults));
  const [basicTexts, setBasicTexts] = useState<Record<string, string>>({});
  const [advancedTexts, setAdvancedTexts] = useState<Record<string, string>>({});
  const [advancedBooleans, setAdvancedBooleans] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitError, setSubmitError] = useState<IpcError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const available = new Set([...defaults.methods, ...defaults.baselines]);
  const isBaseline = defaults.baselines.includes(method);
  const [baselineJob, setBaselineJob] = useState<{ jobId: string; phase: string; done: number; total: number } | null>(null);

  useBackendEvent('jobs:progress', (progress) => {
    setBaselineJob((current) => (current !== null && current.jobId === progress.jobId ? { ...current, ...progress } : current));
  });

  /** A field's error goes as soon as the field is edited; the next submit checks it again. */
  const clearError = (key: string): void => {
    if (errors[key] === undefined) return;
    const rest = { ...errors };
    delete rest[key];
    setErrors(rest);
  };

  const collect = (): { overrides: Record<string, unknown>; errors: Record<string, string> } => {
    const found: Record<string, string> = {};
    const values: Record<string, unknown> = { method, imageSize };
    for (const field of BASIC_FIELDS) {
      const parsed = parseFieldText(basicTexts[field.key] ?? '', defaults.defaults[field.key]);
      if ('error' in parsed) found[field.key] = parsed.error;
      else if (typeof parsed.value === 'number') {
        const problem = checkBasicField(field, parsed.value);
        if (problem !== null) found[field.key] = problem;
        else values[field.key] = parsed.value;
      }
    }
    for (const [key, text] of Object.entries(advancedTexts)) {
      const parsed = parseFieldText(text, defaults.defaults[key]);
      if ('error' in parsed) found[key] = parsed.error;
      else values[key] = parsed.value;
    }
    for (const [key, value] of Object.entries(advancedBooleans)) values[key] = value;
    return { overrides: changedOverrides(values, defaults.defaults), errors: found };
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSubmitError(null);
    if (dataset === undefined) {
      setErrors({ dataset: 'Choose a dataset (import one in the Data view first)' });
      return;
    }
    const collected = collect();
    setErrors(collected.errors);
    if (Object.keys(collected.errors).length > 0) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const classes = anomalyClasses.split(',').map((value) => value.trim()).filter((value) => value.length > 0);
    const datasetSpec = {
      kind: 'folder' as const,
      path: dataset.path,
      ...(dataset.labelsCsv === null ? {} : { labelsCsv: dataset.labelsCsv }),
      ...(classes.length === 0 ? {} : { anomalyClasses: classes }),
      onProblem: 'skip' as const,
    };
    setSubmitting(true);
    try {
      if (isBaseline) {
        await runBaseline(datasetSpec, collected.overrides);
        return;
      }
      const { runId } = await call(api, 'runs:start', {
        dataset: datasetSpec,
        // Checked against RunConfigOverrides by the contract on the way in; unknown or bad values come back as errors.
        config: collected.overrides as RunConfigOverrides,
      });
      onStarted();
      navigate(formatRoute('monitor', [runId]));
    } catch (thrown) {
      const failure = toIpcError(thrown);
      if (failure.name === 'AbortError') setNotice('Cancelled: no run was recorded.');
      else setSubmitError(failure);
    } finally {
      setSubmitting(false);
      setBaselineJob(null);
    }
  };

  /** Pixel baselines need no training: scored right away (with progress), then shown in the gallery. */
  const runBaseline = async (datasetSpec: DatasetSpecInput, overrides: Record<string, unknown>): Promise<void> => {
    const jobId = newJobId('baseline');
    setBaselineJob({ jobId, phase: 'loading', done: 0, total: 0 });
    const setting = (key: string): number | undefined => (typeof overrides[key] === 'number' ? (overrides[key] as number) : undefined);
    const seed = setting('seed');
    const knnK = setting('knnK');
    const { runId } = await call(api, 'baselines:run', {
      dataset: datasetSpec,
      method: method === 'pixel-iforest' ? 'pixel-iforest' : 'pixel-knn',
      imageSize,
      jobId,
      ...(seed === undefined ? {} : { seed }),
      ...(knnK === undefined ? {} : { knnK }),
    });
    onStarted();
    navigate(formatRoute('gallery', [runId]));
  };

  return (
    <form className="training-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="new-run-heading">
      <div className="form-columns">
        <fieldset>
          <legend>Data</legend>
          <div className="field">
            <label htmlFor={`${id}-dataset`}>Dataset</label>
            <select
              id={`${id}-dataset`}
              value={datasetId ?? ''}
              onChange={(event) => {
                setDatasetId(Number(event.target.value));
              }}
              aria-invalid={errors['dataset'] !== undefined}
              aria-describedby={`${id}-dataset-hint`}
              data-testid="train-dataset"
            >
              {folderDatasets.length === 0 && <option value="">No datasets imported yet</option>}
              {folderDatasets.map((candidate) => (
                <option key={candidate.datasetId} value={candidate.datasetId}>
                  {baseName(candidate.path)} ({formatCount(candidate.fileCount)} files)
                </option>
              ))}
            </select>
            <span id={`${id}-dataset-hint`} className={errors['dataset'] !== undefined ? 'field-error' : 'field-hint'}>
              {errors['dataset'] ?? (dataset === undefined ? <a href={formatRoute('data')}>Import a folder first</a> : dataset.path)}
            </span>
          </div>
          {dataset?.labelsCsv !== null && dataset !== undefined && (
            <div className="field">
              <label htmlFor={`${id}-anomaly`}>Labels that mark known anomalies</label>
              <input
                id={`${id}-anomaly`}
                className="input"
                type="text"
                value={anomalyClasses}
                onChange={(event) => setAnomalyClasses(event.target.value)}
                placeholder="e.g. 4, 5"
                aria-describedby={`${id}-anomaly-hint`}
              />
              <span id={`${id}-anomaly-hint`} className="field-hint">
                Optional. Items with these labels are kept out of training and used to measure AUROC.
              </span>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-size`}>Model input size</label>
            <select id={`${id}-size`} value={imageSize} onChange={(event) => setImageSize(Number(event.target.value) as ImageSize)}>
              {IMAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size} × {size} pixels
                </option>
              ))}
            </select>
            <span className="field-hint">Images are centre-cropped and resized to this</span>
          </div>
        </fieldset>

        <fieldset className="method-choice">
          <legend>Method</legend>
          <div className="method-grid">
            {METHOD_CHOICES.map((choice) => {
              const enabled = available.has(choice.id);
              return (
                <label key={choice.id} className={`method-card${method === choice.id ? ' selected' : ''}${enabled ? '' : ' disabled'}`}>
                  <input type="radio" name={`${id}-method`} value={choice.id} checked={method === choice.id} onChange={() => setMethod(choice.id)} disabled={!enabled} />
                  <span className="method-title">{choice.title}</span>
                  <span className="method-text">{enabled ? choice.text : `${choice.text} (not offered by this backend)`}</span>
                </label>
              );
            })}
          </div>
        </fieldset>

        <fieldset>
          <legend>Settings</legend>
          <div className="settings-grid">
            {BASIC_FIELDS.map((field) => {
              const inputId = `${id}-${field.key}`;
              const error = errors[field.key];
              const unused = isBaseline && !BASELINE_FIELDS.has(field.key);
              return (
                <div className="field" key={field.key}>
                  <label htmlFor={inputId}>{field.label}</label>
                  <input
                    id={inputId}
                    className="input"
                    type="text"
                    inputMode={field.integer ? 'numeric' : 'decimal'}
                    value={basicTexts[field.key] ?? ''}
                    placeholder={valueToText(defaults.defaults[field.key])}
                    onChange={(event) => {
                      setBasicTexts({ ...basicTexts, [field.key]: event.target.value });
                      clearError(field.key);
                    }}
                    aria-invalid={error !== undefined}
                    aria-describedby={`${inputId}-hint`}
                    disabled={unused}
                    data-testid={`setting-${field.key}`}
                  />
                  <span id={`${inputId}-hint`} className={error !== undefined ? 'field-error' : 'field-hint'}>
                    {error ?? (unused ? 'Not used by pixel baselines' : `${field.hint}; default ${valueToText(defaults.defaults[field.key])}`)}
                  </span>
                </div>
              );
            })}
          </div>
        </fieldset>
      </div>

      {!isBaseline && (
      <AdvancedConstants
        defaults={defaults}
        texts={advancedTexts}
        booleans={advancedBooleans}
        errors={errors}
        onText={(key, text) => {
          setAdvancedTexts({ ...advancedTexts, [key]: text });
          clearError(key);
        }}
        onBoolean={(key, value) => setAdvancedBooleans({ ...advancedBooleans, [key]: value })}
        onReset={() => {
          setAdvancedTexts({});
          setAdvancedBooleans({});
        }}
      />
      )}

      {submitError !== null && <ErrorMessage error={submitError} onDismiss={() => setSubmitError(null)} />}
      {notice !== null && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={submitting || dataset === undefined} data-testid="start-training">
          {submitting ? 'Starting…' : isBaseline ? 'Score with the baseline' : 'Start training'}
        </button>
        {baselineJob !== null && (
          <button type="button" className="button" onClick={() => void call(api, 'jobs:cancel', { jobId: baselineJob.jobId }).catch(() => undefined)}>
            Cancel
          </button>
        )}
        <span className="muted small">{isBaseline ? 'Scores every item in pixel space, then opens the gallery.' : 'Training runs in the background; you can leave this page.'}</span>
      </div>
      {baselineJob !== null && (
        <ProgressBar
          label={baselineJob.phase === 'scoring' ? 'Scoring every item' : 'Loading the images'}
          value={baselineJob.total > 0 ? baselineJob.done : null}
          max={Math.max(baselineJob.total, 1)}
          detail={baselineJob.total > 0 ? `${formatCount(baselineJob.done)} of ${formatCount(baselineJob.total)}` : 'starting…'}
        />
      )}
    </form>
  );
}

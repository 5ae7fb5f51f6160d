/**
 * What the app's views need beyond the stored records, as one object over the same store and event
 * hub as AppServices: thumbnails and band images, dataset import with inspection, sorted pages and
 * neighbours, reconstructions, config defaults, and cancellable jobs. Built lazily by the IPC handlers,
 * so Electron and `polaris serve` get it without any wiring of their own.
 */
import type { ConfigDefaults, DatasetInspection, DatasetSpecInput, DatasetSummary, DisplaySettings, ImageFacts, Neighbors, Reconstructions, RunItem, StretchKind, Thumbnail } from '../../shared/ipc';
import type { PolarisStore } from '../store/store';
import type { EventHub } from './events';
import { type BaselineRequest, UiBaselineService } from './ui-baselines';
import { configDefaults } from './ui-config';
import { UiImageService } from './ui-images';
import { UiDatasetInspector } from './ui-inspect';
import { UiJobs } from './ui-jobs';
import { UiReconstructionService } from './ui-reconstructions';
import { type SortedItemsQuery, UiResultsService } from './ui-results';

export class UiServices {
  private readonly images: UiImageService;
  private readonly inspector: UiDatasetInspector;
  private readonly results: UiResultsService;
  private readonly reconstruction: UiReconstructionService;
  private readonly baselines: UiBaselineService;
  private readonly jobs: UiJobs;

  constructor(dependencies: { store: PolarisStore; events: EventHub }) {
    this.images = new UiImageService(dependencies.store);
    this.inspector = new UiDatasetInspector(dependencies.store);
    this.results = new UiResultsService(dependencies.store);
    this.reconstruction = new UiReconstructionService(dependencies.store);
    this.baselines = new UiBaselineService(dependencies.store, dependencies.events.emit);
    this.jobs = new UiJobs(dependencies.events.emit);
  }

  configDefaults(): ConfigDefaults {
    return configDefaults();
  }

  importDataset(path: string, labelsCsv: string | undefined, jobId: string): Promise<{ summary: DatasetSummary; inspection: DatasetInspection }> {
    return this.jobs.run(jobId, 'Import cancelled', (job) => this.inspector.importFolder(path, labelsCsv, job));
  }

  inspection(datasetId: number): DatasetInspection | null {
    return this.inspector.inspection(datasetId);
  }

  cancelJob(jobId: string): { jobId: string; cancelled: boolean } {
    return { jobId, cancelled: this.jobs.cancel(jobId) };
  }

  async thumbnails(datasetId: number, files: readonly string[], size: number, display: DisplaySettings): Promise<{ thumbnails: Thumbnail[] }> {
    return { thumbnails: await this.images.thumbnails(datasetId, files, size, display) };
  }

  bands(datasetId: number, file: string, size: number, stretch: StretchKind): Promise<{ facts: ImageFacts; bands: string[] }> {
    return this.images.bands(datasetId, file, size, stretch);
  }

  sortedItems(query: SortedItemsQuery): { total: number; items: RunItem[] } {
    return this.results.sortedItems(query);
  }

  neighbors(runId: string, index: number, k?: number): Neighbors {
    return this.results.neighbors(runId, index, k);
  }

  runBaseline(request: Omit<BaselineRequest, 'dataset'> & { dataset: DatasetSpecInput }, jobId: string): Promise<{ runId: string }> {
    const { dataset } = request;
    if (dataset.kind !== 'folder') throw new RangeError('Pixel baselines need an image folder, not the embedded demo data');
    return this.jobs.run(jobId, 'Baseline cancelled', (job) => this.baselines.run({ ...request, dataset }, job));
  }

  reconstructions(runId: string, indexes?: readonly number[], count?: number): Promise<Reconstructions> {
    return this.reconstruction.reconstructions(runId, indexes, count);
  }
}

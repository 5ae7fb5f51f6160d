/**
 * The insight views' services as one object over the store: angle histograms and the pole heat map,
 * the 3-D sphere, label metrics and the labelled items, run comparison, score histograms and the
 * gallery filters. Built lazily by the IPC handlers (../ipc/insight-handlers.ts), like UiServices.
 */
import type { AngleHeatmap, AngleHistograms, GalleryFilter, InsightItem, LabelledItem, RunComparison, RunLabelMetrics, ScoreHistogram, SpherePoints } from '../../shared/ipc-insight';
import type { PolarisStore } from '../store/store';
import { type AngleHistogramRequest, InsightAngles } from './insight-angles';
import { type CompareRequest, InsightCompare } from './insight-compare';
import { InsightLabels } from './insight-labels';
import { InsightRunData } from './insight-run-data';
import { InsightScores, type ScoreHistogramRequest } from './insight-scores';
import { InsightSphere } from './insight-sphere';

export class InsightServices {
  private readonly angles: InsightAngles;
  private readonly sphere: InsightSphere;
  private readonly labels: InsightLabels;
  private readonly comparison: InsightCompare;
  private readonly scores: InsightScores;

  constructor(dependencies: { store: PolarisStore }) {
    const data = new InsightRunData(dependencies.store);
    this.angles = new InsightAngles(data);
    this.sphere = new InsightSphere(data, this.angles);
    this.labels = new InsightLabels(data);
    this.comparison = new InsightCompare(data);
    this.scores = new InsightScores(data, this.angles);
  }

  angleHistograms(request: AngleHistogramRequest): AngleHistograms {
    return this.angles.histograms(request);
  }

  angleHeatmap(runId: string, group: 'all' | 'normal' | 'anomalous'): AngleHeatmap {
    return this.angles.heatmap(runId, group);
  }

  spherePoints(runId: string, epoch: number | null, maxPoints: number): SpherePoints {
    return this.sphere.points(runId, epoch, maxPoints);
  }

  labelMetrics(runIds?: readonly string[]): { runs: RunLabelMetrics[] } {
    return this.labels.metrics(runIds);
  }

  labelledItems(runId: string): { runId: string; datasetId: number | null; items: LabelledItem[] } {
    return this.labels.labelledItems(runId);
  }

  compareRuns(request: CompareRequest): RunComparison {
    return this.comparison.compare(request);
  }

  scoreHistogram(request: ScoreHistogramRequest): ScoreHistogram {
    return this.scores.histogram(request);
  }

  filteredItems(runId: string, filter: GalleryFilter, offset: number, limit: number): { total: number; items: InsightItem[]; description: string } {
    return this.scores.filteredItems(runId, filter, offset, limit);
  }
}

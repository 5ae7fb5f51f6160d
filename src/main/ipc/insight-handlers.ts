/**
 * The handlers of the insight channels (src/shared/ipc-insight.ts), spread into the app's handler
 * table by ./handlers.ts. They only translate payloads (already validated) into service calls.
 */
import type { insightInvokeContract } from '../../shared/ipc-insight';
import type { PolarisStore } from '../store/store';
import { InsightServices } from '../services/insight-services';
import type { InvokeHandlers } from './dispatch';

export type InsightInvokeHandlers = InvokeHandlers<typeof insightInvokeContract>;

export function createInsightHandlers(services: { readonly store: PolarisStore }): InsightInvokeHandlers {
  // Created on first use, as the UI services are: a table that never serves these channels never builds caches.
  let insightServices: InsightServices | null = null;
  const insight = (): InsightServices => (insightServices ??= new InsightServices({ store: services.store }));
  return {
    'insight:angle-histograms': async (request) => insight().angleHistograms(request),
    'insight:angle-heatmap': async ({ runId, group }) => insight().angleHeatmap(runId, group),
    'insight:sphere-points': async ({ runId, epoch, maxPoints }) => insight().spherePoints(runId, epoch, maxPoints),
    'insight:label-metrics': async ({ runIds }) => insight().labelMetrics(runIds),
    'insight:labelled-items': async ({ runId }) => insight().labelledItems(runId),
    'insight:compare-runs': async (request) => insight().compareRuns(request),
    'insight:score-histogram': async (request) => insight().scoreHistogram(request),
    'insight:filtered-items': async ({ runId, filter, offset, limit }) => insight().filteredItems(runId, filter, offset, limit),
  };
}

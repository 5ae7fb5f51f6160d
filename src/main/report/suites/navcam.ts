/**
 * Suite "navcam": novelty among Mars rover targets, on navcam-novelty (34 Navcam greyscale crops from
 * Curiosity, 8 marked novel by the mission's science team; a substitute for the paper's Mastcam set).
 * Fit on typical targets, rank the held-out typical and all novel ones, and say where each novel
 * target lands in every method's ranking.
 */
import path from 'node:path';
import { readCsvFile } from '../../data/labels';
import { prepareDataset } from '../../services/dataset-prep';
import type { SuiteDefinition } from '../suite';
import { folderSeedData, labelCounts } from './folder-protocol';

const FOLDER = 'navcam-novelty';

/** "sol 1347, target 32" per image file, from labels.csv's sol and target columns. */
async function targetDescriptions(labelsCsv: string): Promise<Record<string, string>> {
  const table = await readCsvFile(labelsCsv);
  const column = (name: string) => table.columns.findIndex((c) => c.toLowerCase() === name);
  const [file, sol, target] = [column('file'), column('sol'), column('target')];
  if (file < 0) return {};
  return Object.fromEntries(
    table.rows.map((row) => [path.posix.basename(row[file] ?? ''), [sol >= 0 ? `sol ${row[sol]}` : '', target >= 0 ? `target ${row[target]}` : ''].filter(Boolean).join(', ')] as const),
  );
}

export const navcamSuite: SuiteDefinition = {
  name: 'navcam',
  title: 'Mars Navcam targets: which ones are novel?',
  description:
    'Novelty ranking for planetary scientists. Every model is fitted on typical rover targets only; it then ranks ' +
    'a held-out set of as many typical targets as there are novel ones plus all 8 novel targets, and the report ' +
    'gives each novel target\'s rank in every method\'s list (1 = most novel).',
  requiredPaths: [`${FOLDER}/labels.csv`, `${FOLDER}/images`],
  defaults: {
    epochs: 40,
    trainLimit: 1000,
    testLimit: 1000,
    imageSize: 64,
    latentDim: 128,
    batchSize: 9,
    learningRate: 1e-3,
    heldOutClasses: [],
  },
  configExtras: () => ({}),
  async load(dataRoot, settings) {
    const folder = path.join(dataRoot, FOLDER);
    const labelsCsv = path.join(folder, 'labels.csv');
    const prepared = await prepareDataset(
      { kind: 'folder', path: folder, labelsCsv, keyColumn: 'file', labelColumn: 'novel', anomalyClasses: ['1'], onProblem: 'stop', channels: 1 },
      { size: settings.imageSize, protocol: { seed: settings.firstSeed, testFraction: 0.2, balancedTest: true } },
    );
    return {
      channels: prepared.channels,
      dataNotes: [
        `${prepared.files.length} greyscale PNG crops (64×64) read from ${FOLDER}/images, ${settings.imageSize === 64 ? 'used at 64×64' : `resized to ${settings.imageSize}×${settings.imageSize}`}, scaled 0..255 → 0..1.`,
        `Labels from ${FOLDER}/labels.csv (file, sol, target, novel): novel ${labelCounts(prepared.labels)}.`,
        'Per seed: as many typical targets are held out as there are novel ones; the models are fitted on the remaining typical targets (with so few images, the seed changes which typical targets are held out).',
      ],
      trackedDescriptions: await targetDescriptions(labelsCsv),
      seedData: async (seed) =>
        folderSeedData(prepared, seed, settings, {
          evaluationKey: 'novel',
          evaluationTitle: 'typical vs novel Navcam targets',
          normalWord: 'typical',
          anomalyWord: 'novel',
          trackAnomalies: true,
        }),
    };
  },
  substitutes: [
    'Dataset: navcam-novelty (34 Curiosity Navcam greyscale target crops, 64×64, 8 novel; from nasaharvest/dora) substitutes the paper\'s Mars Mastcam set (multispectral Mastcam images): a different camera, one band instead of several, and far fewer images.',
    'With 18 training images and 16 test items per seed, one item moves AUROC by 1/64 ≈ 0.016: read the spread over seeds before reading a difference between methods.',
  ],
  paperSetting: 'The paper\'s planetary experiment uses Mars Mastcam images (multispectral), trained with the reference schedule of method.md §5 (300 epochs) on a GPU.',
  paperValues: [],
};

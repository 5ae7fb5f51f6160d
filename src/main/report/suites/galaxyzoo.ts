/**
 * Suite "galaxyzoo": the paper's Galaxy Zoo experiment on galaxyzoo1-64 (Galaxy Zoo 1 at 64×64, a
 * substitute for the paper's set). Normal = classes 0–3; odd = 4 (don't know: mostly artefacts) and
 * 5 (mergers). Train on normal galaxies only; test on all odd ones and as many held-out normals.
 */
import path from 'node:path';
import { prepareDataset } from '../../services/dataset-prep';
import type { SuiteDefinition } from '../suite';
import { folderSeedData, labelCounts } from './folder-protocol';

const FOLDER = 'galaxyzoo1-64';

export const galaxyZooSuite: SuiteDefinition = {
  name: 'galaxyzoo',
  title: 'Galaxy Zoo: odd galaxies (classes 4 and 5) among normal ones',
  description:
    'One-class anomaly detection on SDSS galaxy images. Every model is trained on normal galaxies only ' +
    '(classes 0–3: elliptical, clockwise and anticlockwise spiral, edge-on) and scores a held-out test set of half ' +
    'normal, half odd galaxies (class 4 "don\'t know", mostly artefacts such as satellite trails and bright stars, ' +
    'and class 5, mergers), as the paper does.',
  requiredPaths: [`${FOLDER}/labels.csv`, `${FOLDER}/images`],
  defaults: {
    epochs: 4,
    trainLimit: 800,
    testLimit: 1000,
    imageSize: 32,
    latentDim: 128,
    batchSize: 32,
    learningRate: 1e-3,
    heldOutClasses: [],
  },
  configExtras: () => ({}),
  async load(dataRoot, settings, onProgress) {
    const folder = path.join(dataRoot, FOLDER);
    let lastReport = 0;
    const prepared = await prepareDataset(
      {
        kind: 'folder',
        path: folder,
        labelsCsv: path.join(folder, 'labels.csv'),
        keyColumn: 'OBJID',
        labelColumn: 'CLASS',
        anomalyClasses: ['4', '5'],
        onProblem: 'stop',
        channels: 3,
      },
      {
        size: settings.imageSize,
        protocol: { seed: settings.firstSeed, testFraction: 0.2, balancedTest: true },
        onLoadProgress: (done, total) => {
          if (done === total || done - lastReport >= 1000) {
            lastReport = done;
            onProgress?.(`reading galaxies: ${done}/${total}`);
          }
        },
      },
    );
    return {
      channels: prepared.channels,
      dataNotes: [
        `${prepared.files.length} JPEG images (64×64 RGB) read from ${FOLDER}/images, resized to ${settings.imageSize}×${settings.imageSize}, scaled 0..255 → 0..1.`,
        `Labels from ${FOLDER}/labels.csv (OBJID, CLASS): ${labelCounts(prepared.labels)}. Odd = classes 4 and 5.`,
        `Per seed: the normal galaxies are split so that as many are held out for testing as there are odd ones; a random ${settings.trainLimit} of the remaining normal galaxies train the models.`,
      ],
      seedData: async (seed) =>
        folderSeedData(prepared, seed, settings, {
          evaluationKey: 'odd',
          evaluationTitle: 'normal vs odd galaxies (classes 4, 5)',
          normalWord: 'normal',
          anomalyWord: 'odd',
        }),
    };
  },
  substitutes: [
    'Dataset: galaxyzoo1-64 is Galaxy Zoo 1 (SDSS cutouts, centre crop resized to 64×64, JPEG q90, 6,664 galaxies); the paper\'s Galaxy Zoo set may differ in source, size, resolution and in which classes count as odd.',
  ],
  paperSetting: 'The paper\'s Table 1 sets Comp.VAE + k-NN on a Galaxy Zoo set against a standard VAE and an AE (k-NN, Isolation Forest, reconstruction MSE) and raw pixels, trained with the reference schedule of method.md §5 (300 epochs) on a GPU.',
  paperValues: [],
};

/** The reproduction suites by name. */
import type { SuiteDefinition, SuiteName } from '../suite';
import { cifar10OodSuite } from './cifar10-ood';
import { galaxyZooSuite } from './galaxyzoo';
import { navcamSuite } from './navcam';

export const SUITES: Readonly<Record<SuiteName, SuiteDefinition>> = {
  galaxyzoo: galaxyZooSuite,
  navcam: navcamSuite,
  'cifar10-ood': cifar10OodSuite,
};

/** The constants of method.md with their defaults and documentation, for the training setup view. */
import { CONFIG_HELP, DEFAULT_CONFIG, MODEL_METHODS } from '../../ml/config';
import { RunConfigOverridesSchema, type ConfigDefaults } from '../../shared/ipc';
import { BASELINE_METHODS } from './ui-baselines';

export function configDefaults(): ConfigDefaults {
  return {
    defaults: { ...DEFAULT_CONFIG, lrMilestones: [...DEFAULT_CONFIG.lrMilestones] },
    help: { ...CONFIG_HELP },
    methods: [...MODEL_METHODS],
    overridable: Object.keys(RunConfigOverridesSchema.shape),
    baselines: [...BASELINE_METHODS],
  };
}

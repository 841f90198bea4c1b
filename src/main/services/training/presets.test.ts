import { describe, expect, it } from 'vitest';
import { TrainingOverrides } from '@shared/model/avatar';
import { resolveTrainingConfig, TRAINING_PRESETS } from './presets';

describe('training presets through the API contract', () => {
  it('an omitted override keeps the preset value (zod defaults do not fill overrides)', () => {
    expect(TrainingOverrides.parse({})).toEqual({});
    const standard = resolveTrainingConfig('standard', TrainingOverrides.parse({}));
    expect(standard.testTimeFit).toBe(TRAINING_PRESETS.standard.testTimeFit);
    expect(standard.testTimeFit).toBeGreaterThan(0);
    expect(resolveTrainingConfig('high', TrainingOverrides.parse({ steps: 10 }))).toMatchObject({ steps: 10, testTimeFit: TRAINING_PRESETS.high.testTimeFit });
    expect(resolveTrainingConfig('preview', TrainingOverrides.parse({})).testTimeFit).toBe(0);
  });

  it('a given override wins, including off values', () => {
    expect(resolveTrainingConfig('standard', TrainingOverrides.parse({ testTimeFit: 0, frameSubject: false }))).toMatchObject({ testTimeFit: 0, frameSubject: false });
  });
});

import { describe, expect, it } from 'vitest';
import { TRAINING_PRESETS } from '@shared/model/avatar';
import { formatDb, formatDefault, formatLoss, formatPerStep, formToOverrides, OVERRIDE_FIELDS, presetSummary, rangeText } from './trainingText';

describe('training panel text', () => {
  it('lists every numeric hyper-parameter of TrainingConfig exactly once', () => {
    const numeric = Object.entries(TRAINING_PRESETS.preview)
      .filter(([, v]) => typeof v === 'number')
      .map(([k]) => k)
      .sort();
    expect(OVERRIDE_FIELDS.map((f) => f.key).sort()).toEqual(numeric);
  });

  it('turns filled fields into overrides, leaves empty ones to the preset, and refuses out-of-range values', () => {
    const ok = formToOverrides({ values: { steps: '200', lrColor: ' 0.02 ', seed: '' }, background: 'white', holdOutCamera: 'c:cam1' });
    expect(ok.errors).toEqual({});
    expect(ok.overrides).toEqual({ steps: 200, lrColor: 0.02, background: 'white', holdOutCamera: 'c:cam1' });
    const bad = formToOverrides({ values: { steps: '0', uvResolution: '12.5', dssimWeight: 'x' }, background: '', holdOutCamera: '' });
    expect(Object.keys(bad.errors).sort()).toEqual(['dssimWeight', 'steps', 'uvResolution']);
    expect(bad.errors.steps).toBe('A whole number from 1 to 1,000,000');
    expect(bad.errors.dssimWeight).toBe('Not a number');
    expect(bad.overrides).toEqual({});
  });

  it('formats figures', () => {
    expect(presetSummary('preview')).toBe('128 px · 64² UV · 1,500 steps');
    expect(rangeText('dssimWeight')).toBe('From 0 to 1');
    expect(formatDefault(5e-5)).toBe('0.00005');
    expect(formatDefault(0.1 + 0.2)).toBe('0.3');
    expect(formatDb(25.94)).toBe('25.9 dB');
    expect(formatDb(null)).toBe('—');
    expect(formatLoss(0.12345)).toBe('0.1235');
    expect(formatLoss(0.0001234)).toBe('1.23e-4');
    expect(formatPerStep(0.42)).toBe('420 ms/step');
    expect(formatPerStep(2.5)).toBe('2.5 s/step');
  });
});

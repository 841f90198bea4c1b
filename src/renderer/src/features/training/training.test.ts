import { describe, expect, it } from 'vitest';
import { TRAINING_PRESETS } from '@shared/model/avatar';
import type { Job } from '@shared/model/job';
import { recordProgress, sparkline } from './history';
import { estimateText, formatDb, formatDefault, formatLoss, formatPerStep, formToOverrides, OVERRIDE_FIELDS, presetSummary, rangeText } from './trainingText';

describe('training panel text', () => {
  it('lists every numeric hyper-parameter of TrainingConfig exactly once', () => {
    const numeric = Object.entries(TRAINING_PRESETS.preview)
      .filter(([, v]) => typeof v === 'number')
      .map(([k]) => k)
      .sort();
    expect(OVERRIDE_FIELDS.map((f) => f.key).sort()).toEqual(numeric);
  });

  it('turns filled fields into overrides, leaves empty ones to the preset, and refuses out-of-range values', () => {
    const ok = formToOverrides({ values: { steps: '200', lrColor: ' 0.02 ', seed: '' }, background: 'white', headTuning: 'on', frameSubject: 'whole', holdOutCamera: 'c:cam1' });
    expect(ok.errors).toEqual({});
    expect(ok.overrides).toEqual({ steps: 200, lrColor: 0.02, background: 'white', headTuning: true, frameSubject: false, holdOutCamera: 'c:cam1' });
    const bad = formToOverrides({ values: { steps: '0', uvResolution: '12.5', dssimWeight: 'x' }, background: '', headTuning: '', frameSubject: '', holdOutCamera: '' });
    expect(Object.keys(bad.errors).sort()).toEqual(['dssimWeight', 'steps', 'uvResolution']);
    expect(bad.errors.steps).toBe('A whole number from 1 to 1,000,000');
    expect(bad.errors.dssimWeight).toBe('Not a number');
    expect(bad.overrides).toEqual({});
  });

  it('formats figures', () => {
    expect(presetSummary('preview')).toBe('128 px · 64² UV · 1,500 steps');
    expect(rangeText('dssimWeight')).toBe('From 0 to 1');
    for (const f of OVERRIDE_FIELDS) expect(rangeText(f.key as never), f.key).not.toBeNull(); // defaulted fields too (testTimeFit)
    expect(formatDefault(5e-5)).toBe('0.00005');
    expect(formatDefault(0.1 + 0.2)).toBe('0.3');
    expect(formatDb(25.94)).toBe('25.9 dB');
    expect(formatDb(null)).toBe('—');
    expect(formatLoss(0.12345)).toBe('0.1235');
    expect(formatLoss(0.0001234)).toBe('1.23e-4');
    expect(formatPerStep(0.42)).toBe('420 ms/step');
    expect(formatPerStep(2.5)).toBe('2.5 s/step');
  });

  it('keeps a live history: loss every report, PSNR at validations, truncated back on a resume from an earlier checkpoint', () => {
    const job = (step: number, loss: number, psnr: number | null, validatedAt: number) =>
      ({ id: 'j1', progress: { training: { step, steps: 100, loss, psnr, ssim: null, validatedAt, validation: 'test', gaussians: 10, secondsPerStep: 0.1, checkpointStep: 0 } } }) as unknown as Job;
    recordProgress(job(0, 0.5, 12, 0));
    recordProgress(job(5, 0.4, 12, 0));
    recordProgress(job(10, 0.3, 15, 10));
    let h = recordProgress(job(20, 0.2, 15, 10));
    expect(h.map((p) => [p.step, p.psnr])).toEqual([[0, 12], [5, null], [10, 15], [20, null]]);
    h = recordProgress(job(12, 0.25, 14, 12)); // resumed from the checkpoint at 10
    expect(h.map((p) => p.step)).toEqual([0, 5, 10, 12]);
    expect(sparkline([{ x: 0, y: 1 }, { x: 10, y: null }, { x: 20, y: 3 }], 24, 12, 2)).toBe('2.0,10.0 22.0,2.0');
    expect(sparkline([{ x: 5, y: 1 }], 24, 12)).toBe('12.0,6.0');
  });
  it('says how long a preset takes here and what the figure rests on', () => {
    expect(estimateText({ seconds: 250, basis: 'earlier-runs', runs: 3 })).toBe('About 4 min (from 3 earlier runs here)');
    expect(estimateText({ seconds: 5400, basis: 'cpu-measurement', runs: 0 })).toBe('About 1 h 30 min (CPU estimate from measured runs)');
    expect(estimateText({ seconds: 20, basis: 'earlier-runs', runs: 1 })).toBe('About 1 min (from an earlier run here)');
    expect(estimateText({ seconds: null, basis: 'none', runs: 0 })).toBeNull();
  });
});

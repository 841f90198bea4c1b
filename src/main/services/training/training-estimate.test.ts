import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openServices } from '../studio-services';
import { resolveTrainingConfig } from './presets';
import { estimateTraining } from './training-estimate';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estimate-'));
const services = openServices(path.join(dir, 'lib'), { frontDoor: 'cli', create: true });
afterAll(() => {
  services.library.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A finished run as the training job records it: its configuration, and the avatar's steps and seconds. */
function recordRun(projectId: string, preset: 'preview' | 'standard', meta: object, status = 'completed', config = resolveTrainingConfig(preset)) {
  const id = `a${++n}`;
  services.avatars.insert({ id, projectId, name: id, headModel: 'open-head', meta });
  services.library.db.prepare('INSERT INTO training_runs (id, project_id, avatar_id, preset, config, status, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(`r${n}`, projectId, id, preset, JSON.stringify(config), status, n);
}

describe('estimateTraining', () => {
  it('scales the CPU measurement by cores before any run, says nothing for a GPU or an unmeasured preset', () => {
    const preview = resolveTrainingConfig('preview');
    const cpu = estimateTraining(services.library.db, 'preview', preview, true);
    expect(cpu.basis).toBe('cpu-measurement');
    expect(cpu.seconds).toBeGreaterThan(0);
    expect(estimateTraining(services.library.db, 'preview', preview, false)).toEqual({ seconds: null, basis: 'none', runs: 0 });
    expect(estimateTraining(services.library.db, 'high', resolveTrainingConfig('high'), true).seconds).toBeNull();
    // another size than the measured preset's: no CPU figure
    expect(estimateTraining(services.library.db, 'preview', resolveTrainingConfig('preview', { imageLongSide: 512 }), true).seconds).toBeNull();
  });

  it('uses this library’s earlier runs of the same size: median seconds a step × steps; failed runs and other sizes left out', () => {
    const projectId = services.projects.create('Runs').id;
    recordRun(projectId, 'preview', { steps: 1500, seconds: 300 }); // 0.2 s a step
    recordRun(projectId, 'preview', { steps: 1500, seconds: 450, resumedFrom: 0 }); // 0.3
    recordRun(projectId, 'preview', { steps: 1500, seconds: 360, resumedFrom: 1000 }); // 0.24 (seconds span every session)
    recordRun(projectId, 'preview', { steps: 1500, seconds: 9000 }, 'failed');
    recordRun(projectId, 'standard', { steps: 100, seconds: 9000 });
    const e = estimateTraining(services.library.db, 'preview', resolveTrainingConfig('preview', { steps: 3000 }), false);
    expect(e).toEqual({ seconds: Math.round(0.24 * 3000), basis: 'earlier-runs', runs: 3 });
  });
});

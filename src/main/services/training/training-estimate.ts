/**
 * How long a training run will take here, before it starts: from this library's earlier runs of the same size
 * (seconds per step, loading and evaluation included, median of the newest few), else — on a CPU adapter — from the
 * bench measurement of each preset on a 2-core CPU, scaled by this machine's cores. Null where neither says: a GPU
 * never measured, or a preset never measured on a CPU.
 */
import os from 'node:os';
import type Database from 'better-sqlite3';
import type { TrainingConfig, TrainingEstimate, TrainingPreset } from '@shared/model/avatar';

/**
 * Seconds per step, loading and evaluation included, measured with `npm run bench:train` on 2 cores (Mesa llvmpipe):
 * preview 1 500 steps on the 20 s clip in 197 s of training (9.5 steps/s over the loop); standard (head tuning, 256²,
 * test-time fitting) 8 000 steps on a 10 s clip in 3 603 s (2.36 steps/s over the loop). High has not been measured
 * on a CPU.
 */
const CPU_SECONDS_PER_STEP: Partial<Record<TrainingPreset, number>> = { preview: 0.131, standard: 0.45 };
const CPU_MEASURED_CORES = 2;
/** Earlier runs averaged (newest first). */
const RUNS = 5;

/** The configuration fields a step's cost follows. */
const sameSize = (a: Partial<TrainingConfig>, b: TrainingConfig) =>
  a.imageLongSide === b.imageLongSide && a.uvResolution === b.uvResolution && (a.headTuning ?? false) === b.headTuning && (a.densifyBudget ?? 1.5) === b.densifyBudget;

export function estimateTraining(db: Database.Database, preset: TrainingPreset, config: TrainingConfig, cpuAdapter: boolean | null): TrainingEstimate {
  const rows = db
    .prepare(`SELECT r.config AS config, a.meta AS meta FROM training_runs r JOIN avatars a ON a.id = r.avatar_id WHERE r.status = 'completed' ORDER BY r.finished_at DESC LIMIT 200`)
    .all() as { config: string; meta: string }[];
  const perStep: number[] = [];
  for (const r of rows) {
    if (perStep.length >= RUNS) break;
    try {
      const c = JSON.parse(r.config) as Partial<TrainingConfig>;
      // seconds: the run's working time over all its sessions (a resumed run counts its earlier ones too)
      const m = JSON.parse(r.meta) as { seconds?: number; steps?: number };
      if (sameSize(c, config) && m.steps && m.steps > 0 && m.seconds && m.seconds > 0) perStep.push(m.seconds / m.steps);
    } catch {
      // a row another version wrote: not a measurement
    }
  }
  if (perStep.length) {
    const median = [...perStep].sort((a, b) => a - b)[Math.floor(perStep.length / 2)]!;
    return { seconds: Math.round(median * config.steps), basis: 'earlier-runs', runs: perStep.length };
  }
  const cpu = CPU_SECONDS_PER_STEP[preset];
  const isPresetSize = cpu !== undefined && sameSize(TRAINING_SIZE[preset], config);
  if (cpuAdapter && cpu !== undefined && isPresetSize) {
    const cores = Math.max(1, os.availableParallelism());
    return { seconds: Math.round((cpu * config.steps * CPU_MEASURED_CORES) / Math.min(cores, 16)), basis: 'cpu-measurement', runs: 0 };
  }
  return { seconds: null, basis: 'none', runs: 0 };
}

/** The size fields of the presets as measured (TRAINING_PRESETS at the time of the measurement). */
const TRAINING_SIZE: Record<TrainingPreset, Partial<TrainingConfig>> = {
  preview: { imageLongSide: 128, uvResolution: 64, headTuning: false, densifyBudget: 1.5 },
  standard: { imageLongSide: 256, uvResolution: 128, headTuning: true, densifyBudget: 1.5 },
  high: { imageLongSide: 512, uvResolution: 256, headTuning: true, densifyBudget: 2 },
};

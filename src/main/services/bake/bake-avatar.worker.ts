import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { BakeSummary } from '@shared/model/bake';
import { DeviceLostError } from '@engine/gpu/errors';
import type { BakeStage } from '@engine/avatar/bake';
import type { WorkerJob } from '../../jobs/worker-context';
import { loadBakeInputs } from './bake-inputs';
import { writeBakeFiles } from './bake-files';
import { bakeFilePaths, bakePartialDir } from './bake-paths';
import type { BakeOutput, BakeParams } from './bake-types';

type Stage = BakeStage | 'load' | 'write';
const ORDER: Stage[] = ['load', 'observe', 'targets', 'fit', 'evaluate', 'write'];

/**
 * Job fraction at the start of each stage, from rough costs in renders (observation = render + backward per view,
 * a fit step ≈ 3 renders with its readbacks and CPU texel work, 4 renders per held-out frame), so the runner's ETA
 * (from the fraction's rate) holds across stages.
 */
export function stageFractions(views: number, steps: number, heldOut: number): Record<Stage, number> {
  // Loading decodes the views' and held-out frames' images (≈ half a render each).
  const cost: Record<Stage, number> = { load: 0.5 * (views + heldOut), observe: 2 * views, targets: views, fit: 3 * steps, evaluate: 4 * heldOut, write: 5 };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  const out = {} as Record<Stage, number>;
  let at = 0;
  for (const s of ORDER) {
    out[s] = at / total;
    at += cost[s];
  }
  return out;
}
const STAGE_LABEL: Record<BakeStage, string> = { observe: 'Finding the observed Gaussians', targets: 'Rendering the bake views', fit: 'Fitting the maps', evaluate: 'Evaluating on the held-out frames' };
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Bakes a trained avatar into UV maps (engine: native/engine/avatar/bake/bake.ts) and writes the bake's files into
 * `avatars/<id>/bake.partial/`; the host swaps the folder in on commit. No mid-fit checkpoint: a resumed bake starts
 * again from a cleared partial folder (a bake is minutes, and its Adam state is as large as the maps).
 */
export const bakeAvatarWorker: WorkerJob<BakeParams, null, BakeOutput> = {
  async run(ctx, params) {
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar no longer exists.');
    const t0 = performance.now();
    const partial = path.join(ctx.projectDir, bakePartialDir(params.avatarId));
    fs.rmSync(partial, { recursive: true, force: true });
    ctx.progress({ fraction: 0, stage: 'Loading the avatar and the frames' });
    const inputs = loadBakeInputs(ctx.libraryDir, ctx.projectDir, params, ctx.throwIfCancelled);
    const tLoad = (performance.now() - t0) / 1000;
    const STAGE_FRACTION = stageFractions(inputs.views.length, params.steps, inputs.heldOut.length);
    ctx.throwIfCancelled();
    const gpu = ctx.gpu;
    const session = await gpu.open('bake', { space: inputs.space });
    try {
      let lastReport = 0;
      const tFit = { start: 0 };
      const result = await session.bake(
        inputs.trained,
        inputs.views,
        {
          mapSize: params.mapSize,
          levels: params.levels,
          steps: params.steps,
          onStage: (stage) => {
            ctx.throwIfCancelled();
            if (stage === 'fit') tFit.start = performance.now();
            const extra = stage === 'fit' ? { done: 0, total: params.steps, unit: 'steps' } : stage === 'evaluate' ? { done: 0, total: inputs.heldOut.length, unit: 'frames' } : {};
            ctx.progress({ fraction: STAGE_FRACTION[stage], stage: `${STAGE_LABEL[stage]}${stage === 'targets' || stage === 'observe' ? ` (${inputs.views.length})` : ''}`, ...extra });
          },
          // The held-out evaluation is four passes of renders (~a quarter of a minute each for 24 frames on a CPU
          // adapter): report each, so the progress and its ETA keep moving to the end.
          onEvaluate: (done, total) => {
            ctx.throwIfCancelled();
            const f = STAGE_FRACTION.evaluate + (STAGE_FRACTION.write - STAGE_FRACTION.evaluate) * (done / total);
            ctx.progress({ fraction: f, stage: `${STAGE_LABEL.evaluate} (pass ${done} of ${total})`, done: (done / total) * inputs.heldOut.length, total: inputs.heldOut.length, unit: 'frames' });
          },
          onStep: (step, loss) => {
            ctx.throwIfCancelled();
            const now = performance.now();
            if (now - lastReport < PROGRESS_INTERVAL_MS && step !== params.steps) return;
            lastReport = now;
            const f = STAGE_FRACTION.fit + (STAGE_FRACTION.evaluate - STAGE_FRACTION.fit) * (step / params.steps);
            const perStep = (now - tFit.start) / 1000 / step;
            ctx.progress({ fraction: f, stage: `Fitting the maps (loss ${loss.toFixed(4)}, ${perStep.toFixed(2)} s/step)`, done: step, total: params.steps, unit: 'steps' });
          },
        },
        inputs.heldOut,
      );
      ctx.throwIfCancelled();
      ctx.progress({ fraction: STAGE_FRACTION.write, stage: 'Writing the maps' });
      const r = result.report;
      const summary: BakeSummary = {
        avatarId: params.avatarId,
        mapSize: r.mapSize,
        levels: r.levels,
        steps: r.steps,
        views: inputs.views.length,
        gaussians: r.gaussians,
        observedGaussians: r.observedGaussians,
        observedTexelFraction: r.observedTexelFraction,
        lossFirst: r.lossFirst,
        lossLast: r.lossLast,
        heldOut: r.heldOut ? { frames: inputs.heldOut.length, ...r.heldOut } : null,
        fidelity: r.fidelity,
        seconds: { load: tLoad, ...r.seconds, total: 0 },
        bakedAt: Date.now(),
        files: bakeFilePaths(params.avatarId),
      };
      summary.seconds.total = (performance.now() - t0) / 1000;
      const files = writeBakeFiles(partial, result, { levels: params.levels, steps: params.steps }, summary);
      return { files, summary };
    } catch (err) {
      if (!gpu.lostError() && !(err instanceof StudioError)) await new Promise((r) => setTimeout(r, 200));
      const lostError: DeviceLostError | null = err instanceof DeviceLostError ? err : gpu.lostError();
      if (lostError) throw new StudioError('INTERNAL', `The GPU stopped working under the bake (${lostError.message}). Resume to bake again.`, { interrupted: true });
      if (err instanceof RangeError) throw new StudioError('CONFLICT', `The avatar cannot be baked: ${err.message}.`);
      throw err;
    } finally {
      await session.close();
    }
  },
};

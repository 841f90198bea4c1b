/**
 * Head tuning on the synthetic ground truth: the training frames' tracked rigid pose, expression and jaw are perturbed
 * (≈1.5° rotation, 3 mm translation, expression noise 0.15, jaw 1°); the same grey avatar is trained twice from the
 * same seed — with the perturbed parameters fixed, and with head tuning (per-frame parameters + correctives) — and the
 * tuned run must reduce the parameter error and reach a higher held-out PSNR (held-out frames use the true parameters).
 * Also: per-step cost of the V×3 readback + CPU update. HEAD_TUNING_TEST_* env overrides are for experiments.
 */
import { describe, expect, it } from 'vitest';
import { readF32 } from '../../gpu/readback';
import { testDevice } from '../../gpu/test-device';
import { BoundGaussians } from '../binding/bound-gaussians';
import { composeRotation } from '../lbs-backward';
import { gaussian, makeRandom, rotationAngleBetween } from '../math';
import { AvatarTrainer, type AvatarTrainerOptions } from './avatar-trainer';
import { posedVertices, rigidRotation, type AvatarFrame, type FrameHeadParams } from './frames';
import { type HeadTuningOptions } from './head-tuning';
import { fitEvaluationFrames } from './head-tuning-eval';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from './test-fixtures';

const gpu = await testDevice();
const env = (k: string, d: number) => Number(process.env[`HEAD_TUNING_TEST_${k}`] ?? d);
const SIZE = env('SIZE', 48), UV = env('UV', 48), STEPS = env('STEPS', 48), TRAIN = env('TRAIN', 6);
/** 'gt' (default): both runs start from the ground-truth avatar; 'grey': from the grey UV init (needs far more steps). */
const INIT = process.env.HEAD_TUNING_TEST_INIT ?? 'gt';
const FROM = env('FROM', INIT === 'gt' ? 0 : 10);
const EVAL_ITERS = env('EVAL_ITERS', 12);

function perturb(head: FrameHeadParams, seed: number): FrameHeadParams {
  const r = makeRandom(seed);
  const axis = [gaussian(r), gaussian(r), gaussian(r)], n = Math.hypot(...axis), ang = (1.5 * Math.PI) / 180;
  const R = composeRotation(axis.map((a) => (a / n) * ang), rigidRotation(head.rotation));
  const dir = [gaussian(r), gaussian(r), gaussian(r)], dn = Math.hypot(...dir);
  const translation = Array.from(head.translation!, (x, k) => x + (0.003 * dir[k]!) / dn);
  const expression = Float32Array.from(head.expression!, (x) => x + 0.15 * gaussian(r));
  const jointRotations = Float32Array.from(head.jointRotations!);
  jointRotations[6] += (1 * Math.PI) / 180 * (r() < 0.5 ? -1 : 1);
  return { ...head, rotation: R, translation, expression, jointRotations };
}

interface ParamError { rotationDeg: number; translationMm: number; expressionRms: number; jawDeg: number; vertexMm: number }
const model = openHeadWithExpressions();

function paramError(heads: readonly FrameHeadParams[], truth: readonly FrameHeadParams[]): ParamError {
  let rot = 0, tr = 0, ex = 0, exN = 0, jaw = 0, vs = 0, vn = 0;
  heads.forEach((h, f) => {
    const g = truth[f]!;
    const a = posedVertices(model, h), b = posedVertices(model, g);
    for (let i = 0; i < a.length; i += 3) { vs += (a[i]! - b[i]!) ** 2 + (a[i + 1]! - b[i + 1]!) ** 2 + (a[i + 2]! - b[i + 2]!) ** 2; vn++; }
    rot += rotationAngleBetween(rigidRotation(h.rotation), rigidRotation(g.rotation));
    tr += Math.hypot(...[0, 1, 2].map((k) => h.translation![k]! - g.translation![k]!));
    for (let e = 0; e < g.expression!.length; e++) { ex += (h.expression![e]! - g.expression![e]!) ** 2; exN++; }
    jaw += Math.hypot(...[6, 7, 8].map((k) => h.jointRotations![k]! - g.jointRotations![k]!));
  });
  const F = heads.length;
  return { rotationDeg: (rot / F) * (180 / Math.PI), translationMm: (tr / F) * 1000, expressionRms: Math.sqrt(ex / exN), jawDeg: (jaw / F) * (180 / Math.PI), vertexMm: Math.sqrt(vs / vn) * 1000 };
}
const fmt = (e: ParamError) => `vertex RMS ${e.vertexMm.toFixed(2)} mm, rot ${e.rotationDeg.toFixed(3)}°, trans ${e.translationMm.toFixed(2)} mm, expr RMS ${e.expressionRms.toFixed(3)}, jaw ${e.jawDeg.toFixed(3)}°`;

describe.skipIf(!gpu.device)('head tuning on synthetic ground truth', () => {
  it('fine-tuning perturbed tracked parameters lowers their error and raises held-out PSNR', async () => {
    const device = gpu.device!;
    const gt = uvAvatar(model, UV, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
    const views = Array.from({ length: TRAIN + 4 }, (_, i) => ({ head: randomHeadParams(model, 300 + i), camera: randomCamera(400 + i, SIZE) }));
    const frames = await renderFrames(device, model, gt, views);
    const truth = frames.slice(0, TRAIN).map((f) => f.head);
    const train: AvatarFrame[] = frames.slice(0, TRAIN).map((f, i) => ({ ...f, head: perturb(f.head, 900 + i) }));
    const heldOut = frames.slice(TRAIN);
    const before = paramError(train.map((f) => f.head), truth);

    const base: AvatarTrainerOptions = {
      learningRates: { shDC: 0.05, opacities: 0.08, logScales: 0.005, rotations: 0.002, means: 5e-5 },
      densify: null, prune: null, monitor: null, seed: 7,
    };
    const tuning: HeadTuningOptions = {
      from: 0,
      learningRates: { rotation: env('LR_ROT', 3e-3), translation: env('LR_TR', 5e-4), expression: env('LR_EXPR', 0.02), joints: env('LR_JOINT', 1e-3), correctives: env('LR_CORR', 1e-5) },
      ...(process.env.HEAD_TUNING_TEST_PRIOR ? { prior: { weight: env('PRIOR', 0) } } : {}),
      correctives: env('CORR', 1) ? {} : false,
    };
    // Both runs share the first FROM steps (perturbed parameters fixed); then one continues as it is and a copy
    // (checkpoint → restore) continues with head tuning.
    const init = () => (INIT === 'gt' ? gt : uvAvatar(model, UV));
    const bound = BoundGaussians.fromData(device, init());
    const fixedTrainer = new AvatarTrainer(model, bound, train, base);
    await fixedTrainer.train(FROM);
    const shared = await fixedTrainer.checkpoint();
    const startPsnr = (await fixedTrainer.evaluate(heldOut)).reduce((s, x) => s + x.psnr, 0) / heldOut.length;
    const bound2 = BoundGaussians.fromData(device, init());
    const tunedTrainer = new AvatarTrainer(model, bound2, train, { ...base, headTuning: tuning });
    if (FROM > 0) tunedTrainer.restore(shared);
    const finish = async (trainer: AvatarTrainer) => {
      const t0 = performance.now();
      await trainer.train(STEPS - FROM);
      const m = await trainer.evaluate(heldOut);
      return { psnr: m.reduce((s, x) => s + x.psnr, 0) / m.length, msPerStep: (performance.now() - t0) / (STEPS - FROM) };
    };
    const fixed = await finish(fixedTrainer);
    const tuned = { ...(await finish(tunedTrainer)), export: tunedTrainer.headTuning!.export(), timing: tunedTrainer.headTuning!.timing };
    // Evaluation-time fitting (option): held-out frames with perturbed rigid poses, fitted with the avatar frozen.
    const heldPerturbed = heldOut.slice(0, 2).map((f, i) => ({ ...f, head: perturb(f.head, 950 + i) }));
    const meanPsnr = (m: { psnr: number }[]) => m.reduce((s, x) => s + x.psnr, 0) / m.length;
    const evalBefore = meanPsnr(await tunedTrainer.evaluate(heldPerturbed));
    const fit = await fitEvaluationFrames(tunedTrainer, heldPerturbed, { iterations: EVAL_ITERS, learningRates: { rotation: 3e-3, translation: 5e-4 }, prior: { weight: 1e-6 } });
    const evalAfter = meanPsnr(await tunedTrainer.evaluate(fit.frames));
    const heldTruth = heldOut.slice(0, 2).map((f) => f.head);
    const evalErr0 = paramError(heldPerturbed.map((f) => f.head), heldTruth), evalErr1 = paramError(fit.frames.map((f) => f.head), heldTruth);
    for (const x of [fixedTrainer, tunedTrainer, bound, bound2]) x.destroy();
    const after = paramError(tuned.export!.frames, truth);
    const t = tuned.timing!;
    console.info(
      `[head tuning] ${TRAIN} training frames, ${STEPS} steps (tuning from ${FROM}), ${SIZE}², UV ${UV}²\n` +
        `  parameter error before: ${fmt(before)}\n  parameter error after:  ${fmt(after)}\n` +
        `  held-out PSNR: at step ${FROM} ${startPsnr.toFixed(2)} dB (200 = exact); after ${STEPS} steps: fixed perturbed params ${fixed.psnr.toFixed(2)} dB, tuned ${tuned.psnr.toFixed(2)} dB\n` +
        `  evaluation-time rigid-pose fit (2 held-out frames, perturbed, ${EVAL_ITERS} iterations): PSNR ${evalBefore.toFixed(2)} → ${evalAfter.toFixed(2)} dB; vertex RMS ${evalErr0.vertexMm.toFixed(2)} → ${evalErr1.vertexMm.toFixed(2)} mm, rot ${evalErr0.rotationDeg.toFixed(3)}° → ${evalErr1.rotationDeg.toFixed(3)}°, trans ${evalErr0.translationMm.toFixed(2)} → ${evalErr1.translationMm.toFixed(2)} mm\n` +
        `  wall per step incl. evaluation: ${fixed.msPerStep.toFixed(0)} ms fixed, ${tuned.msPerStep.toFixed(0)} ms tuned; per update: GPU wait ${(t.waitMs / t.updates).toFixed(1)} ms, readback ${(t.readbackMs / t.updates).toFixed(2)} ms, CPU ${(t.cpuMs / t.updates).toFixed(2)} ms (${t.updates} updates)`,
    );
    expect(after.vertexMm).toBeLessThan(0.8 * before.vertexMm);
    expect(after.rotationDeg).toBeLessThan(before.rotationDeg);
    expect(after.translationMm).toBeLessThan(before.translationMm);
    expect(tuned.psnr).toBeGreaterThan(fixed.psnr);
    expect(evalAfter).toBeGreaterThan(evalBefore);
    // With an imperfect (grey-init) avatar the fit aligns poses with the avatar's own errors: PSNR rises, but the
    // true-pose error need not fall (measured: 4.10 → 4.89 mm), so only the GT-init run asserts it.
    if (INIT === 'gt') expect(evalErr1.vertexMm).toBeLessThan(evalErr0.vertexMm);
  }, env('TIMEOUT_S', 300) * 1000);

  it('whole-chain gradient of the photometric loss w.r.t. a frame’s parameters matches central differences', async () => {
    const device = gpu.device!;
    const S = 32;
    const gt = uvAvatar(model, 24, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.9 });
    const view = { head: randomHeadParams(model, 21), camera: randomCamera(22, S) };
    const [frame] = await renderFrames(device, model, gt, [view]);
    // Off the optimum (perturbed pose, expression, jaw) so the L1 residuals are not at their kink.
    const bound = BoundGaussians.fromData(device, gt);
    const trainer = new AvatarTrainer(model, bound, [{ ...frame!, head: perturb(frame!.head, 23) }], {
      monitor: null, densify: null, prune: null, regularisers: null, intersectionCapacity: 'auto', headTuning: { correctives: false },
    });
    const ht = trainer.headTuning!;
    const bg = [0.2, 0.5, 0.8] as const;
    await trainer.lossAndGradient(0, bg);
    const g = await readF32(device, trainer.deformer.vertexGrads, 0, model.vertexCount * 3);
    const { grad } = ht.parameterGradient(0, g);
    const E = model.expressionCount;
    const x0 = ht.delta(0);
    const loss = async (i: number, h: number) => {
      const x = Float64Array.from(x0);
      x[i]! += h;
      ht.setDelta(0, x);
      return (await trainer.lossAndGradient(0, bg)).photometric;
    };
    // The splat loss has small jumps (alpha 1/255 cut-off, early termination) that a global pose change sums over,
    // so single central differences are noisy (±0.01–0.03 here, h-dependent); the large components and the
    // directional derivative along the analytic gradient (step scaled per parameter) are checked. The analytic values
    // come out ≈ 5 % below FD consistently: the backward's 3DGS conventions (no gradient through the frustum clamp,
    // the 0.99 opacity clamp, the colour clamp) — the same chain as every bound parameter's.
    const rows: string[] = [];
    const checks: Array<[number, string, number]> = [[0, 'rot x', 1e-3], [1, 'rot y', 1e-3], [2, 'rot z', 1e-3], [3, 'trans x', 2e-4], [4, 'trans y', 2e-4], [5, 'trans z', 2e-4], [6, 'expr 0', 0.02], [7, 'expr 1', 0.02], [6 + E + 6, 'jaw x', 2e-3]];
    const fdOf = async (dir: Float64Array, eps: number) => {
      const at = async (sgn: number) => {
        ht.setDelta(0, x0.map((x, i) => x + sgn * eps * dir[i]!));
        return (await trainer.lossAndGradient(0, bg)).photometric;
      };
      return ((await at(1)) - (await at(-1))) / (2 * eps);
    };
    let worstLarge = 0;
    for (const [i, name, h] of checks) {
      const e = new Float64Array(x0.length);
      e[i] = 1;
      const fd = await fdOf(e, h * env('FD_SCALE', 1));
      const rel = Math.abs(grad[i]! - fd) / Math.max(Math.abs(fd), 1e-12);
      // "large": at least 1/8 of the largest scaled component (|g|·h) among the checks
      const large = Math.abs(grad[i]! * h) >= Math.max(...checks.map(([k, , hk]) => Math.abs(grad[k]! * hk))) / 8;
      if (large) worstLarge = Math.max(worstLarge, rel);
      rows.push(`${name}: ${grad[i]!.toExponential(3)} vs FD ${fd.toExponential(3)} (${(rel * 100).toFixed(1)} %${large ? ', checked' : ''})`);
    }
    const dir = new Float64Array(x0.length);
    for (const [i, , h] of checks) dir[i] = grad[i]! * h * h;
    const analytic = checks.reduce((s, [i]) => s + grad[i]! * dir[i]!, 0);
    const fdDir = await fdOf(dir, 1 / Math.sqrt(analytic));
    const relDir = Math.abs(analytic - fdDir) / Math.abs(fdDir);
    rows.push(`directional (step ∝ h²·g): ${analytic.toExponential(4)} vs FD ${fdDir.toExponential(4)} (${(relDir * 100).toFixed(2)} %)`);
    ht.setDelta(0, x0);
    console.info(`[head tuning] whole-chain gradient vs FD (GPU loss, 32²):\n  ${rows.join('\n  ')}`);
    expect(worstLarge).toBeLessThan(0.15);
    expect(relDir).toBeLessThan(0.1);
    trainer.destroy();
    bound.destroy();
  }, env('TIMEOUT_S', 300) * 1000);
});

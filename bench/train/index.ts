/**
 * Training benchmark: import → track → train footage clips, each in its own project of a temporary library, through the
 * studio's own services (a StudioHost in this process, its jobs in worker processes, as the CLI and the app run them),
 * then prints one JSON object last: adapter, preset, per clip (frames and split, steps, Gaussians, wall time per stage,
 * training iterations/s, held-out PSNR / SSIM over the head crop, over the whole frame and PSNR over the head matte)
 * and the means over the clips.
 *
 * Usage: npm run bench:train -- [VIDEO…] [--list FILE] [--preset preview|standard|high] [--steps N] [--uv N]
 *                                  [--image-long-side PX] [--set KEY=VALUE…] [--ablate KEY=VALUE…] [--track KEY=VALUE…]
 *                                  [--fps F] [--long-side PX] [--keep DIR]
 * --set: any training hyper-parameter (as `training.start` overrides). --ablate: after the base run, each clip trains
 * again with that one change on the same tracked capture; the JSON gives each ablation's held-out figures and time
 * per clip, its mean and its difference to the base run. --track: a `tracking.start` option (e.g. photometricRefine=true).
 * --list FILE: one clip path per line (# starts a comment). Without clips: $AVATAR_BENCH_VIDEO, else a clip generated
 * from a face photo that an npm package ships (the clip the training tests use, 3 s at 10 fps). --fps / --long-side are
 * the import's (frames per second kept, stored size); --keep DIR keeps the library there and prints the paths of one
 * test frame's report images per clip; `node --import tsx bench/train/render.ts DIR OUT.png` renders a sheet of test
 * frames.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Job } from '../../src/shared/model/job';
import { StudioHost } from '../../src/main/host/studio-host';
import { TRAINING_PRESETS } from '../../src/main/services/training/presets';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'preview' },
    steps: { type: 'string' },
    uv: { type: 'string' },
    'image-long-side': { type: 'string' },
    fps: { type: 'string' },
    'long-side': { type: 'string' },
    keep: { type: 'string' },
    list: { type: 'string' },
    set: { type: 'string', multiple: true },
    ablate: { type: 'string', multiple: true },
    track: { type: 'string', multiple: true },
  },
});
const preset = o.preset as keyof typeof TRAINING_PRESETS;
if (!(preset in TRAINING_PRESETS)) throw new Error(`unknown preset ${preset}: preview, standard or high`);
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
/** KEY=VALUE → [key, value] (true/false and numbers as such). */
function assignment(a: string): [string, unknown] {
  const m = /^([A-Za-z]+)=(.*)$/.exec(a);
  if (!m) throw new Error(`${a}: expected KEY=VALUE`);
  const v = m[2]!;
  return [m[1]!, v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v];
}
const overrides: Record<string, unknown> = { steps: num(o.steps), uvResolution: num(o.uv), imageLongSide: num(o['image-long-side']), ...Object.fromEntries((o.set ?? []).map(assignment)) };
const ablations = (o.ablate ?? []).map((a) => ({ name: a, overrides: { ...overrides, ...Object.fromEntries([assignment(a)]) } }));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-train-'));
const libraryDir = o.keep ? path.resolve(o.keep) : path.join(work, 'lib');
if (o.keep && fs.existsSync(libraryDir) && fs.readdirSync(libraryDir).length) throw new Error(`--keep ${libraryDir}: the folder is not empty`);

function generatedClip(): string {
  const photo = path.resolve(import.meta.dirname, '../../node_modules/@vladmandic/face-api/demo/sample3.jpg');
  const clip = path.join(work, 'face.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-vf', "crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=512:512", '-t', '3', '-r', '10', '-pix_fmt', 'yuv420p', clip]);
  return clip;
}

const videos = [...positionals, ...(o.list ? fs.readFileSync(o.list, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean) : [])];
if (!videos.length) videos.push(process.env.AVATAR_BENCH_VIDEO ?? generatedClip());
const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });

async function call(method: string, params: unknown): Promise<unknown> {
  const out = await host.dispatch(method, params);
  if (!out.ok) throw new Error(`${method}: ${out.error.message}`);
  return out.result;
}

/** Runs a job to its end, logging its progress to stderr every few seconds; returns it with its wall time. */
async function runJob(name: string, method: string, params: unknown, onUpdate?: (j: Job) => void): Promise<{ job: Job; seconds: number }> {
  const t = performance.now();
  const started = (await call(method, params)) as Job;
  let last = 0;
  const log = (j: Job) => {
    if (j.id !== started.id) return;
    onUpdate?.(j);
    if (Date.now() - last > 5000) {
      last = Date.now();
      const p = j.progress;
      process.stderr.write(`${name}: ${Math.round(p.fraction * 100)}% ${p.stage}${p.total !== undefined ? ` ${p.done}/${p.total}` : ''}\n`);
    }
  };
  host.jobs.on('updated', log);
  const job = await host.jobs.waitFor(started.id);
  host.jobs.off('updated', log);
  const seconds = (performance.now() - t) / 1000;
  if (job.status !== 'completed') throw new Error(`${name} ${job.status}: ${job.error?.message ?? ''}`);
  process.stderr.write(`${name}: done in ${seconds.toFixed(1)} s\n`);
  return { job, seconds };
}

async function runClip(video: string) {
  const t0 = performance.now();
  const projectId = host.services.projects.create(path.basename(video)).id;
  const imported = await runJob('import', 'captures.import', {
    projectId,
    sources: [{ path: path.resolve(video) }],
    options: { fps: num(o.fps), longSide: num(o['long-side']) ?? 1024, allowDuplicate: false },
  });
  const captureId = (imported.job.result as { captureId: string }).captureId;
  let capture = host.services.captures.get(captureId);
  if (capture.splitCounts.test === 0) capture = (await call('captures.proposeSplit', { captureId, testFraction: 0.2 })) as typeof capture;

  const tracked = await runJob('track', 'tracking.start', { captureId, ...Object.fromEntries((o.track ?? []).map(assignment)) });
  const summary = host.services.tracking.summary(captureId);

  const base = await trainOnce(captureId, overrides);
  const variants = [];
  for (const a of ablations) {
    process.stderr.write(`ablation ${a.name}\n`);
    const v = await trainOnce(captureId, a.overrides);
    variants.push({ set: a.name, heldOut: v.heldOut, trainSeconds: v.trainSeconds, itersPerSecond: v.itersPerSecond, gaussians: v.gaussians, avatar: v.avatar, images: v.images });
  }
  const { trained, ...trainedFields } = base;
  return {
    video: path.basename(video),
    frames: capture.frameCount,
    size: `${capture.width}x${capture.height}`,
    tracked: summary ? `${summary.tracked}/${summary.frames}` : null,
    meanFitErrorPx: summary?.meanFitErrorPx === null || !summary ? null : round(summary.meanFitErrorPx),
    ...trainedFields,
    stageSeconds: { import: round(imported.seconds, 1), track: round(tracked.seconds, 1), train: round(trained.seconds, 1), total: round((performance.now() - t0) / 1000, 1) },
    ablations: variants,
  };
}

/** One training run on a tracked capture, its held-out figures, time and (with --keep) one test frame's images. */
async function trainOnce(captureId: string, overrides: Record<string, unknown>) {
  // Iterations/s over the step loop alone, from the job's step reports (loading frames and evaluation excluded).
  let firstStep: { step: number; t: number } | null = null;
  let lastStep: { step: number; t: number } | null = null;
  const trained = await runJob('train', 'training.start', { captureId, preset, overrides }, (j) => {
    if (j.progress.unit !== 'steps' || j.progress.done === undefined) return;
    const s = { step: j.progress.done, t: performance.now() };
    if (!firstStep) firstStep = s;
    lastStep = s;
  });
  const result = trained.job.result as { avatarId: string; metrics: { psnr: number; ssim: number } | null; trackedMetrics?: { psnr: number; ssim: number } | null; fullFrame: { psnr: number; ssim: number } | null; headMattePsnr: number | null; steps: number; gaussians: number; trainFrames: number; skippedFrames: number; testFrames: number };
  const f = firstStep as { step: number; t: number } | null, l = lastStep as { step: number; t: number } | null;
  const itersPerSecond = f && l && l.step > f.step ? (l.step - f.step) / ((l.t - f.t) / 1000) : null;
  const report = (await call('training.report', { avatarId: result.avatarId })) as { perFrame: { idx: number; images: { groundTruth: string; render: string; error: string } | null }[] };
  const projectDir = host.services.projects.folderOf(host.services.captures.get(captureId).projectId);
  const images = report.perFrame.find((f) => f.images)?.images ?? null;
  return {
    trained,
    trainFrames: result.trainFrames,
    testFrames: result.testFrames,
    skippedFrames: result.skippedFrames,
    steps: result.steps,
    gaussians: result.gaussians,
    trainSeconds: round(trained.seconds, 1),
    itersPerSecond: itersPerSecond === null ? null : round(itersPerSecond, 3),
    // psnr / ssim: over a square crop around the head (the headline, INSTA protocol); fullFrame: over the whole frame.
    heldOut: result.metrics
      ? { psnr: round(result.metrics.psnr), ssim: round(result.metrics.ssim, 4), fullFrame: result.fullFrame && { psnr: round(result.fullFrame.psnr), ssim: round(result.fullFrame.ssim, 4) }, beforeTestTimeFit: result.trackedMetrics ? { psnr: round(result.trackedMetrics.psnr), ssim: round(result.trackedMetrics.ssim, 4) } : null, headMattePsnr: result.headMattePsnr === null ? null : round(result.headMattePsnr) }
      : null,
    avatar: result.avatarId,
    // One evaluated frame's ground truth / render / error images (only worth printing when the library is kept).
    images: o.keep && images ? Object.fromEntries(Object.entries(images).map(([k, v]) => [k, path.join(projectDir, v)])) : null,
  };
}

const round = (x: number, d = 2) => Number(x.toFixed(d));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
try {
  const clips: Awaited<ReturnType<typeof runClip>>[] = [];
  for (const video of videos) {
    process.stderr.write(`— ${path.basename(video)} (${clips.length + 1} of ${videos.length})\n`);
    clips.push(await runClip(video));
  }
  const gpu = (await call('app.gpu', undefined).catch(() => null)) as { adapter: unknown; kernels: string | null } | null;
  const evaluated = clips.filter((c) => c.heldOut);
  const m = (f: (c: (typeof clips)[number]) => number | null | undefined) => {
    const v = mean(evaluated.map(f).filter((x): x is number => typeof x === 'number'));
    return v === null ? null : round(v, 4);
  };
  console.log(
    JSON.stringify({
      bench: 'train',
      adapter: gpu?.adapter ?? null,
      kernels: gpu?.kernels ?? null,
      preset,
      config: { ...TRAINING_PRESETS[preset], ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) },
      mean: {
        clips: evaluated.length,
        psnr: m((c) => c.heldOut?.psnr),
        ssim: m((c) => c.heldOut?.ssim),
        fullFramePsnr: m((c) => c.heldOut?.fullFrame?.psnr),
        // With --set testTimeFit=N: the head-crop figures with the tracker's parameters, before the fit.
        beforeTestTimeFitPsnr: m((c) => c.heldOut?.beforeTestTimeFit?.psnr),
        beforeTestTimeFitSsim: m((c) => c.heldOut?.beforeTestTimeFit?.ssim),
        headMattePsnr: m((c) => c.heldOut?.headMattePsnr),
        totalSeconds: m((c) => c.stageSeconds.total),
      },
      ablations: ablations.map((a, i) => {
        const psnr = m((c) => c.ablations[i]?.heldOut?.psnr), ssim = m((c) => c.ablations[i]?.heldOut?.ssim);
        const basePsnr = m((c) => c.heldOut?.psnr), baseSsim = m((c) => c.heldOut?.ssim);
        return {
          set: a.name,
          psnr,
          ssim,
          headMattePsnr: m((c) => c.ablations[i]?.heldOut?.headMattePsnr),
          dPsnr: psnr !== null && basePsnr !== null ? round(psnr - basePsnr, 4) : null,
          dSsim: ssim !== null && baseSsim !== null ? round(ssim - baseSsim, 4) : null,
          trainSeconds: m((c) => c.ablations[i]?.trainSeconds),
        };
      }),
      clips,
      cpus: os.availableParallelism(),
      loadAverage1m: round(os.loadavg()[0]!),
      library: o.keep ? libraryDir : null,
    }),
  );
} finally {
  await host.close();
  fs.rmSync(work, { recursive: true, force: true });
}

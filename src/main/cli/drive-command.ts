import path from 'node:path';
import type { Command } from 'commander';
import { numberFlag } from './number-flag';
import { StudioError } from '@shared/api/errors';
import type { DriveOutput } from '../services/drive/drive-types';
import type { CliContext } from './cli-context';

type Run = (action: (ctx: CliContext) => Promise<{ json: unknown; text: string; exitCode?: number }>) => Promise<void>;

/** The drive job's result as the API returns it (the target as `path`, project-relative when inside the project). */
type DriveResult = Omit<DriveOutput, 'target' | 'sha256'> & { path: string };

/** `avatar-studio drive AVATAR VIDEO --out out.mp4 [--side-by-side] [--intensity 1] [--size 512] …` (services/drive). */
export function addDriveCommand(program: Command, run: Run): void {
  program
    .command('drive <avatar> <video>')
    .description('drive an avatar (id, see `avatars list`) with a driving video, or another capture of the library (`capture:<id>`), and render it to MP4')
    .option('--out <file>', 'output .mp4 (default: the project’s exports/ folder)')
    .option('--side-by-side', 'put the driver’s frame left of the avatar')
    .option('--intensity <x>', 'expression intensity (0–3; 1 = as driven)')
    .option('--size <px>', 'avatar frame size (square, even)', '512')
    .option('--smoothing <x>', 'temporal smoothing 0 (off) … 1 (heaviest)')
    .option('--no-pose', 'keep the head still (do not follow the driver’s head pose)')
    .option('--mirror', 'drive as a mirror image')
    .option('--neutral-frame <n>', 'first frame of the driver’s neutral-face window (calibration)')
    .option('--calibration-frames <n>', 'frames averaged by the calibration')
    .option('--max-frames <n>', 'drive at most this many frames')
    .option('--crf <n>', 'H.264 quality (0 best … 51 worst)')
    .action((avatarId: string, video: string, o: Record<string, string | boolean | undefined>) =>
      run(async (ctx) => {
        const str = (k: string) => o[k] as string | undefined;
        const capture = /^capture:(.+)$/.exec(video)?.[1];
        if (o.out && !String(o.out).toLowerCase().endsWith('.mp4')) throw new StudioError('BAD_REQUEST', `--out must name an .mp4 file, not “${String(o.out)}”.`);
        const started = await ctx.call('drive.start', {
          avatarId,
          ...(capture ? { captureId: capture } : { video: path.resolve(video) }),
          path: o.out ? path.resolve(String(o.out)) : undefined,
          sideBySide: o.sideBySide === true ? true : undefined,
          intensity: numberFlag('intensity', str('intensity'), { min: 0, max: 3 }),
          size: numberFlag('size', str('size'), { int: true, min: 16, max: 2048 }),
          smoothing: numberFlag('smoothing', str('smoothing'), { min: 0, max: 1 }),
          followPose: o.pose === false ? false : undefined,
          mirror: o.mirror === true ? true : undefined,
          neutralFrame: numberFlag('neutral-frame', str('neutralFrame'), { int: true, min: 0 }),
          calibrationFrames: numberFlag('calibration-frames', str('calibrationFrames'), { int: true, min: 1, max: 300 }),
          maxFrames: numberFlag('max-frames', str('maxFrames'), { int: true, min: 1 }),
          crf: numberFlag('crf', str('crf'), { int: true, min: 0, max: 51 }),
        });
        const { job, exitCode } = await ctx.followJob(started);
        if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Drive ${job.status}: ${job.error?.message ?? ''}`, exitCode };
        const r = job.result as DriveResult;
        const t = r.timings;
        return {
          json: { drive: r, job },
          text: [
            `Drove avatar ${avatarId}: ${r.frames} frames (${r.tracked} with a face) at ${r.width}×${r.height}, ${r.fps.toFixed(2)} fps → ${r.path} (${(r.size / 1e6).toFixed(2)} MB) in ${r.seconds.toFixed(1)} s`,
            `calibration: ${r.calibration.frames} frames, spread ${r.calibration.spreadMm.toFixed(2)} mm; coefficients at their clamp: ${(r.clampedFraction * 100).toFixed(1)} %`,
            `per frame: tracking ${t.trackMs.toFixed(1)} ms, retargeting ${t.retargetMs.toFixed(2)} ms, rendering ${t.renderMs.toFixed(1)} ms, total ${t.totalMs.toFixed(1)} ms`,
          ].join('\n'),
        };
      }),
    );
}

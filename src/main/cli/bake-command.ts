import type { Command } from 'commander';
import { numberFlag } from './number-flag';
import { StudioError } from '@shared/api/errors';
import type { BakeSummary } from '@shared/model/bake';
import type { CliContext } from './cli-context';

type Run = (action: (ctx: CliContext) => Promise<{ json: unknown; text: string; exitCode?: number }>) => Promise<void>;

const MAP_SIZES = [256, 512, 1024] as const;

/** One-paragraph summary of a bake report. */
export function bakeSummaryText(r: BakeSummary): string {
  const h = r.heldOut;
  return [
    `Baked avatar ${r.avatarId} into ${r.mapSize}² maps (${r.levels} levels, ${r.steps} steps, ${r.views} views) in ${r.seconds.total.toFixed(1)} s`,
    `${r.observedGaussians} of ${r.gaussians} Gaussians observed, ${(r.observedTexelFraction * 100).toFixed(1)} % of covered texels observed`,
    h
      ? `held-out PSNR ${h.before.psnr.toFixed(2)} → ${h.after.psnr.toFixed(2)} dB (drop ${h.dropDb.toFixed(2)} dB), SSIM ${h.before.ssim.toFixed(4)} → ${h.after.ssim.toFixed(4)} over ${h.frames} frames`
      : 'no held-out frames to compare on',
    `maps: ${r.files.maps}`,
  ].join('\n');
}

/** `avatar-studio bake AVATAR [--map-size 512] [--steps N] [--levels L]` and `bake-report AVATAR` (services/bake). */
export function addBakeCommand(program: Command, run: Run): void {
  program
    .command('bake <avatar>')
    .description('bake a trained avatar (id, see `avatars list`) into UV texture maps (colour, opacity, scale, rotation, offset, visibility) and report held-out PSNR/SSIM before and after')
    .option('--map-size <size>', 'finest map size: 256 | 512 | 1024', '512')
    .option('--steps <n>', 'fit steps through the renderer (0 = splat + push-pull only)', '300')
    .option('--levels <n>', 'pyramid levels (1–6)', '4')
    .action((avatarId: string, o: { mapSize: string; steps: string; levels: string }) =>
      run(async (ctx) => {
        const mapSize = Number(o.mapSize) as (typeof MAP_SIZES)[number];
        if (!MAP_SIZES.includes(mapSize)) throw new StudioError('BAD_REQUEST', `--map-size must be one of ${MAP_SIZES.join(', ')}, not “${o.mapSize}”.`);
        const steps = numberFlag('steps', o.steps, { int: true, min: 0 }), levels = numberFlag('levels', o.levels, { int: true, min: 1, max: 6 });
        const { job, exitCode } = await ctx.followJob(await ctx.call('bake.start', { avatarId, mapSize, steps, levels }));
        if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Bake ${job.status}: ${job.error?.message ?? ''}`, exitCode };
        const report = job.result as BakeSummary;
        return { json: { bake: report, job }, text: bakeSummaryText(report) };
      }),
    );
  program
    .command('bake-report <avatar>')
    .description("show an avatar's last bake report")
    .action((avatarId: string) =>
      run(async (ctx) => {
        const report = await ctx.call('bake.report', { avatarId });
        return { json: { bake: report }, text: bakeSummaryText(report) };
      }),
    );
}

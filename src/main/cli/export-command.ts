import path from 'node:path';
import type { Command } from 'commander';
import { StudioError } from '@shared/api/errors';
import { ExportFormat } from '@shared/model/export';
import type { CliContext } from './cli-context';

type Run = (action: (ctx: CliContext) => Promise<{ json: unknown; text: string; exitCode?: number }>) => Promise<void>;

/** `avatar-studio export AVATAR --format ply|gltf [--frame N | --expression a,b,…] [--out FILE]` (services/export). */
export function addExportCommand(program: Command, run: Run): void {
  program
    .command('export <avatar>')
    .description("export an avatar (id, see `avatars list`) as a static splat file: standard 3DGS .ply or glTF 2.0 (.glb, KHR_gaussian_splatting); default into the project's exports/ folder")
    .requiredOption('--format <format>', 'ply | gltf (bundle, player, mp4: not available yet)')
    .option('--frame <n>', "pose at this tracked frame of the capture (default: the neutral head)")
    .option('--expression <coefficients>', 'pose at these comma-separated expression coefficients')
    .option('--out <file>', 'write here instead of the project folder')
    .action((avatarId: string, o: { format: string; frame?: string; expression?: string; out?: string }) =>
      run(async (ctx) => {
        const format = ExportFormat.safeParse(o.format);
        if (!format.success) throw new StudioError('BAD_REQUEST', `--format must be one of ${ExportFormat.options.join(', ')}, not “${o.format}”.`);
        let frame: number | undefined;
        if (o.frame !== undefined) {
          frame = Number(o.frame);
          if (!Number.isInteger(frame) || frame < 0) throw new StudioError('BAD_REQUEST', `--frame must be a frame index (an integer ≥ 0), not “${o.frame}”.`);
        }
        let expression: number[] | undefined;
        if (o.expression !== undefined) {
          expression = o.expression.split(',').map((s) => Number(s.trim()));
          if (expression.some((v) => !Number.isFinite(v))) throw new StudioError('BAD_REQUEST', `--expression must be comma-separated numbers, not “${o.expression}”.`);
        }
        const started = await ctx.call('exports.create', { avatarId, format: format.data, frame, expression, path: o.out ? path.resolve(o.out) : undefined });
        const { job, exitCode } = await ctx.followJob(started);
        if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Export ${job.status}: ${job.error?.message ?? ''}`, exitCode };
        const r = job.result as { exportId: string; path: string; size: number; gaussians: number; dropped: number; seconds: number };
        return {
          json: { export: r, job },
          text: `Exported ${r.gaussians} Gaussians to ${r.path} (${(r.size / 1e6).toFixed(2)} MB, ${r.seconds.toFixed(2)} s)${r.dropped ? `; ${r.dropped} on degenerate triangles left out` : ''}`,
        };
      }),
    );

  const exportsCmd = program.command('exports').description('list and repeat exports');
  exportsCmd
    .command('list <project>')
    .description('list the exports of a project (newest first) with their settings')
    .action((ref: string) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const list = await ctx.call('exports.list', { projectId: p.id });
        const pose = (e: (typeof list)[number]) => (e.settings.frame !== null ? `frame ${e.settings.frame}` : e.settings.expression ? 'expression' : 'neutral');
        const text = list.length ? list.map((e) => `${e.id}  ${e.format}  ${pose(e)}  ${e.size ?? '?'} B  ${e.path ?? ''}`).join('\n') : 'No exports.';
        return { json: { exports: list }, text };
      }),
    );
  exportsCmd
    .command('repeat <id>')
    .description('export again with the recorded settings (same format, pose and file)')
    .action((id: string) =>
      run(async (ctx) => {
        const { job, exitCode } = await ctx.followJob(await ctx.call('exports.repeat', { id }));
        if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Export ${job.status}: ${job.error?.message ?? ''}`, exitCode };
        const r = job.result as { path: string; size: number };
        return { json: { export: job.result, job }, text: `Exported again to ${r.path} (${(r.size / 1e6).toFixed(2)} MB)` };
      }),
    );
}

import path from 'node:path';
import type { Command } from 'commander';
import { numberFlag } from './number-flag';
import { StudioError } from '@shared/api/errors';
import { EXPORT_FORMAT_IDS, ExportFormat, exportFormatInfo } from '@shared/model/export-formats';
import type { CliContext } from './cli-context';

type Run = (action: (ctx: CliContext) => Promise<{ json: unknown; text: string; exitCode?: number }>) => Promise<void>;

/** `avatar-studio export AVATAR --format ply|gltf|spz|… [--frame N | --expression a,b,…] [--out FILE]` (services/export). */
export function addExportCommand(program: Command, run: Run): void {
  program
    .command('export <avatar>')
    .description("export an avatar (id, see `avatars list`) as a static splat file (standard 3DGS .ply, glTF 2.0 .glb with KHR_gaussian_splatting, compressed .spz), a rendered video (H.264 .mp4, RGBA PNG sequence), an animated-avatar bundle (.avatar), the baked texture maps (PNG folder) or the tracked mesh sequence (OBJ per frame, or glTF with morph targets); default into the project's exports/ folder")
    .requiredOption('--format <format>', EXPORT_FORMAT_IDS.join(' | '))
    .option('--frame <n>', "pose at this tracked frame of the capture (default: the neutral head)")
    .option('--expression <coefficients>', 'pose at these comma-separated expression coefficients')
    .option('--out <file>', 'write here instead of the project folder')
    .option('--sequence <kind>', 'mp4 / png-sequence: turntable (360° orbit, neutral or --expression) | tracked (the capture\'s motion)', 'turntable')
    .option('--size <px>', 'mp4 / png-sequence: frame size, an even number of pixels (WIDTH or WIDTHxHEIGHT; default 512)')
    .option('--fps <n>', 'mp4 / png-sequence: frames per second (default 25; tracked: the capture\'s)')
    .option('--quality <crf>', 'mp4: H.264 constant rate factor, 0 (best) … 51 (default 20)')
    .option('--frames <n>', 'turntable: frames for the full turn (default 72)')
    .option('--frame-step <n>', 'mesh-obj / mesh-gltf: every n-th tracked frame (default 1: all)')
    .action((avatarId: string, o: { format: string; frame?: string; expression?: string; out?: string; sequence: string; size?: string; fps?: string; quality?: string; frames?: string; frameStep?: string }) =>
      run(async (ctx) => {
        const format = ExportFormat.safeParse(o.format);
        if (!format.success) throw new StudioError('BAD_REQUEST', `--format must be one of ${ExportFormat.options.join(', ')}, not “${o.format}”.`);
        const frame = numberFlag('frame', o.frame, { int: true, min: 0 });
        let expression: number[] | undefined;
        if (o.expression !== undefined) {
          expression = o.expression.split(',').map((s) => Number(s.trim()));
          if (expression.some((v) => !Number.isFinite(v))) throw new StudioError('BAD_REQUEST', `--expression must be comma-separated numbers, not “${o.expression}”.`);
        }
        const kind = exportFormatInfo(format.data).kind;
        const video = kind === 'video' ? videoOptions(o) : undefined;
        const frameStep = numberFlag('frame-step', o.frameStep, { int: true, min: 1, max: 1000 });
        const started = await ctx.call('exports.create', { avatarId, format: format.data, frame, expression, path: o.out ? path.resolve(o.out) : undefined, video, frameStep });
        const { job, exitCode } = await ctx.followJob(started);
        if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Export ${job.status}: ${job.error?.message ?? ''}`, exitCode };
        const r = job.result as { exportId: string; path: string; size: number; gaussians: number; dropped: number; seconds: number; frames?: number };
        if ((kind === 'whole' || kind === 'mesh') && format.data !== 'player')
          return { json: { export: r, job }, text: `Exported the ${format.data}${r.frames !== undefined ? ` (${r.frames} ${format.data === 'maps' ? 'maps' : 'frames'})` : ''} of ${r.gaussians} Gaussians to ${r.path} (${(r.size / 1e6).toFixed(2)} MB, ${r.seconds.toFixed(2)} s)` };
        if (format.data === 'player')
          return { json: { export: r, job }, text: `Exported the web player (${r.gaussians} Gaussians) to ${r.path}/ (${(r.size / 1e6).toFixed(2)} MB, ${r.seconds.toFixed(2)} s). Serve that folder (e.g. \`python3 -m http.server\` in it) and open the address in a WebGPU browser.` };
        if (r.frames !== undefined)
          return { json: { export: r, job }, text: `Rendered ${r.frames} frames of ${r.gaussians} Gaussians to ${r.path} (${(r.size / 1e6).toFixed(2)} MB, ${r.seconds.toFixed(1)} s)` };
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

/** `--sequence --size --fps --quality --frames` → the `video` settings of exports.create (checked again by the host). */
function videoOptions(o: { sequence: string; size?: string; fps?: string; quality?: string; frames?: string }) {
  if (o.sequence !== 'turntable' && o.sequence !== 'tracked') throw new StudioError('BAD_REQUEST', `--sequence must be turntable or tracked, not “${o.sequence}”.`);
  const int = (v: string | undefined, flag: string, ok: (n: number) => boolean, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || !ok(n)) throw new StudioError('BAD_REQUEST', `${flag} must be ${what}, not “${v}”.`);
    return n;
  };
  let width: number | undefined, height: number | undefined;
  if (o.size !== undefined) {
    const [w, h = w] = o.size.toLowerCase().split('x');
    const even = (n: number) => n >= 16 && n <= 4096 && n % 2 === 0;
    width = int(w, '--size', even, 'an even number of pixels from 16 to 4096 (WIDTH or WIDTHxHEIGHT)');
    height = int(h, '--size', even, 'an even number of pixels from 16 to 4096 (WIDTH or WIDTHxHEIGHT)');
  }
  const fps = numberFlag('fps', o.fps, { min: 1, max: 120 });
  return {
    sequence: o.sequence as 'turntable' | 'tracked',
    width,
    height,
    fps,
    crf: numberFlag('quality', o.quality, { int: true, min: 0, max: 51 }),
    frames: numberFlag('frames', o.frames, { int: true, min: 1, max: 3600 }),
  };
}

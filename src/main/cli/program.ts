import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { numberFlag } from './number-flag';
import { StudioError } from '@shared/api/errors';
import { APP_VERSION } from '../host/version';
import { startWebServer } from '../web/web-server';
import { CliContext, type GlobalOptions } from './cli-context';
import { EXIT, exitCodeFor } from './exit-codes';
import { jobsTable, projectsTable } from './format';
import { makeAvatar } from './make-avatar';
import { addExportCommand } from './export-command';
import { addBakeCommand } from './bake-command';
import { addDriveCommand } from './drive-command';
import { addImportAvatarCommand } from './import-avatar-command';
import { installStopSignals, STOP_SIGNALS } from './signals';
import { addTrainingOptions, presetFrom, trainingOverridesFrom } from './training-flags';

type Out = { json: unknown; text: string; exitCode?: number };

/** Finds the built renderer: out/renderer beside the built CLI (out/main), or under the repository when run from sources. */
export function findRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, '..', 'renderer')];
  for (let dir = here, i = 0; i < 6; i++, dir = path.dirname(dir)) candidates.push(path.join(dir, 'out', 'renderer'));
  // Only a built renderer will do: src/renderer/index.html would hand the browser .tsx files.
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html')) && fs.existsSync(path.join(c, 'assets'))) ?? path.resolve('out/renderer');
}

/**
 * `avatar-studio [--library DIR] [--json] <command>`. Every command prints one JSON object on stdout with --json
 * (errors too: `{ "error": { code, message } }`), human text otherwise; progress goes to stderr.
 */
export function buildProgram(run: (action: (ctx: CliContext) => Promise<Out>) => Promise<void>): Command {
  const program = new Command('avatar-studio')
    .description('Avatar Studio: turn footage of a person into an animatable 3D Gaussian head avatar.')
    .version(APP_VERSION)
    .option('--library <dir>', 'library folder (default: the OS user-data folder, or AVATAR_STUDIO_LIBRARY)')
    .option('--json', 'print one JSON object with the result on stdout')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('info')
    .description('show versions and the library in use')
    .action(() =>
      run(async (ctx) => {
        const [app, library] = [await ctx.call('app.info'), await ctx.call('library.info')];
        return {
          json: { app, library },
          text: `Avatar Studio ${app.version} (${app.platform})\nLibrary: ${library.path} (schema ${library.schemaVersion}${library.readOnly ? `, read-only: ${library.readOnlyReason}` : ''})`,
        };
      }),
    );

  const projects = program.command('projects').description('manage projects');
  projects
    .command('list')
    .description('list projects')
    .option('--trash', 'list the trash instead')
    .option('--search <text>', 'only names containing this text')
    .action((o: { trash?: boolean; search?: string }) =>
      run(async (ctx) => {
        const list = await ctx.call('projects.list', { trashed: !!o.trash, query: o.search });
        return { json: { projects: list }, text: projectsTable(list) };
      }),
    );
  projects
    .command('create <name>')
    .description('create an empty project')
    .action((name: string) =>
      run(async (ctx) => {
        const project = await ctx.call('projects.create', { name });
        return { json: { project }, text: `Created “${project.name}” (${project.id})` };
      }),
    );
  projects
    .command('rename <project> <name>')
    .description('rename a project (by id or name)')
    .action((ref: string, name: string) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const project = await ctx.call('projects.rename', { id: p.id, name });
        return { json: { project }, text: `Renamed to “${project.name}”` };
      }),
    );
  projects
    .command('duplicate <project>')
    .description('copy a project with all its files')
    .option('--name <name>', 'name of the copy')
    .action((ref: string, o: { name?: string }) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const started = await ctx.call('projects.duplicate', { id: p.id, name: o.name });
        const { job, exitCode } = await ctx.followJob(started);
        const projectId = (job.result as { projectId?: string } | null)?.projectId ?? null;
        return { json: { job, projectId }, text: job.status === 'completed' ? `Duplicated as ${projectId}` : `Duplicate ${job.status}: ${job.error?.message ?? ''}`, exitCode };
      }),
    );
  projects
    .command('delete <project>')
    .description('move a project to the trash (restore it with `projects restore`)')
    .action((ref: string) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const project = await ctx.call('projects.trash', { id: p.id });
        return { json: { project }, text: `Moved “${project.name}” to the trash` };
      }),
    );
  projects
    .command('restore <project>')
    .description('restore a project from the trash')
    .action((ref: string) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref, true);
        const project = await ctx.call('projects.restore', { id: p.id });
        return { json: { project }, text: `Restored “${project.name}”` };
      }),
    );
  projects
    .command('empty-trash')
    .description('delete every project in the trash for good')
    .action(() =>
      run(async (ctx) => {
        const started = await ctx.call('projects.emptyTrash');
        const { job, exitCode } = await ctx.followJob(started);
        return { json: { job }, text: `Empty trash: ${job.status}`, exitCode };
      }),
    );

  program
    .command('import <project> <files...>')
    .description('import footage into a project: a video, a folder of images, a photo, or several videos with --multiview')
    .option('--multiview', 'several synchronised videos as one capture, one camera per file')
    .option('--calibration <file>', 'camera calibration for a multi-view capture (see docs/calibration.md)')
    .option('--fps <fps>', 'frames per second to extract (default: the source rate, at most 30)')
    .option('--long-side <pixels>', 'long side of the stored frames (default 1024; never upscaled)')
    .option('--name <name>', 'name of the capture')
    .option('--allow-duplicate', 'import even if the same footage is already in the project')
    .action((ref: string, files: string[], o: { multiview?: boolean; calibration?: string; fps?: string; longSide?: string; name?: string; allowDuplicate?: boolean }) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const started = await ctx.call('captures.import', {
          projectId: p.id,
          sources: files.map((f) => ({ path: path.resolve(f) })),
          name: o.name,
          multiview: !!o.multiview,
          calibration: o.calibration ? { path: path.resolve(o.calibration) } : undefined,
          options: { fps: numberFlag('fps', o.fps, { above: 0 }), longSide: numberFlag('long-side', o.longSide, { int: true, above: 0 }) ?? 1024, allowDuplicate: !!o.allowDuplicate },
        });
        const { job, exitCode } = await ctx.followJob(started);
        if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Import ${job.status}: ${job.error?.message ?? ''}`, exitCode };
        const result = job.result as { captureId: string; frames: number; cameras: number; warnings: string[] };
        const capture = await ctx.call('captures.get', { id: result.captureId });
        const warn = result.warnings.length ? `\n${result.warnings.map((w) => `warning: ${w}`).join('\n')}` : '';
        return {
          json: { capture, frames: result.frames, cameras: result.cameras, warnings: result.warnings, job },
          text: `Imported “${capture.name}”: ${result.frames} frames${result.cameras > 1 ? ` × ${result.cameras} views` : ''} at ${capture.width}×${capture.height} (${capture.splitCounts.test} proposed as test)${warn}`,
        };
      }),
    );

  program
    .command('track <project> [capture]')
    .description('track faces and fit the head model on a capture (default: every capture of the project)')
    .option('--no-mask', 'skip the person mask')
    .option('--no-fit', 'only detect landmarks; do not fit the head model')
    .option('--photometric', "after the landmark fit, refine each frame's head pose, expression and jaw photometrically through the GPU engine (slower)")
    .action((ref: string, captureRef: string | undefined, o: { mask: boolean; fit: boolean; photometric?: boolean }) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const all = await ctx.call('captures.list', { projectId: p.id });
        const targets = captureRef ? all.filter((c) => c.id === captureRef || c.name.toLowerCase() === captureRef.toLowerCase()) : all;
        if (targets.length === 0) throw new StudioError('NOT_FOUND', captureRef ? `No capture “${captureRef}” in “${p.name}”.` : `“${p.name}” has no footage yet. Import some with: avatar-studio import "${p.name}" FILE`);
        const results = [];
        let exitCode: number = EXIT.ok;
        for (const c of targets) {
          const started = await ctx.call('tracking.start', { captureId: c.id, mask: o.mask, fit: o.fit, photometricRefine: o.photometric === true });
          const followed = await ctx.followJob(started);
          if (followed.exitCode !== EXIT.ok) exitCode = followed.exitCode;
          results.push({ capture: c.id, name: c.name, job: followed.job, summary: await ctx.call('tracking.summary', { captureId: c.id }) });
        }
        const frames = results.reduce((s, r) => s + (r.summary?.frames ?? 0), 0);
        const tracked = results.reduce((s, r) => s + (r.summary?.tracked ?? 0), 0);
        const text = results
          .map((r) => (r.summary ? `${r.name}: tracked ${r.summary.tracked}/${r.summary.frames} frames${r.summary.meanFitErrorPx !== null ? `, mean fit error ${r.summary.meanFitErrorPx.toFixed(2)} px` : ''}` : `${r.name}: ${r.job.status} ${r.job.error?.message ?? ''}`))
          .join('\n');
        return { json: { frames, tracked, captures: results }, text, exitCode };
      }),
    );

  addTrainingOptions(
    program
      .command('train <project> [capture]')
      .description("train a Gaussian head avatar on a tracked capture (default: the project's first capture); every hyper-parameter of the preset can be overridden"),
  ).action((ref: string, captureRef: string | undefined, o: Record<string, unknown>) =>
    run(async (ctx) => {
      const [preset, overrides] = [presetFrom(o), trainingOverridesFrom(o)];
      const p = await ctx.resolveProject(ref);
      const all = await ctx.call('captures.list', { projectId: p.id });
      const c = captureRef ? all.find((x) => x.id === captureRef || x.name.toLowerCase() === captureRef.toLowerCase()) : all[0];
      if (!c) throw new StudioError('NOT_FOUND', captureRef ? `No capture “${captureRef}” in “${p.name}”.` : `“${p.name}” has no footage yet. Import some with: avatar-studio import "${p.name}" FILE`);
      const started = await ctx.call('training.start', { captureId: c.id, preset, overrides });
      const { job, exitCode } = await ctx.followJob(started);
      if (job.status !== 'completed') return { json: { job, error: job.error }, text: `Training ${job.status}: ${job.error?.message ?? ''}`, exitCode };
      const result = job.result as { avatarId: string; metrics: { psnr: number; ssim: number } | null; steps: number; gaussians: number; trainFrames: number; skippedFrames: number; testFrames: number };
      const report = await ctx.call('training.report', { avatarId: result.avatarId });
      const m = result.metrics;
      return {
        json: { metrics: m, avatar: result.avatarId, capture: c.id, steps: result.steps, gaussians: result.gaussians, trainFrames: result.trainFrames, skippedFrames: result.skippedFrames, testFrames: result.testFrames, config: report.config, perFrame: report.perFrame, job },
        text: `Trained avatar ${result.avatarId} on “${c.name}”: ${result.steps} steps, ${result.gaussians} Gaussians, ${result.trainFrames} train frames${m ? `; test PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)} over ${result.testFrames} frames` : '; no test frames to evaluate'}`,
      };
    }),
  );

  addTrainingOptions(
    program
      .command('make-avatar <video>')
      .description('import a video, track it with the open head, train an avatar and evaluate it on the test split, end to end')
      .option('--project <project>', 'project to work in (created when missing); an earlier run there is continued: same footage and its tracking reused, an unfinished stage resumed')
      .option('--fps <fps>', 'import: frames per second to extract (default: the source rate, at most 30)')
      .option('--import-long-side <pixels>', 'import: long side of the stored frames (default 1024; never upscaled)')
      .option('--no-resume', 'start unfinished stages afresh instead of resuming their jobs'),
  ).action((video: string, o: Record<string, unknown>) =>
    run((ctx) => {
      return makeAvatar(ctx, video, {
        project: o.project as string | undefined,
        preset: presetFrom(o),
        overrides: trainingOverridesFrom(o),
        fps: numberFlag('fps', o.fps, { above: 0 }),
        importLongSide: numberFlag('import-long-side', o.importLongSide, { int: true, above: 0 }),
        resume: o.resume !== false,
      });
    }),
  );

  addExportCommand(program, run);
  addBakeCommand(program, run);
  addDriveCommand(program, run);
  addImportAvatarCommand(program, run);

  const avatars = program.command('avatars').description('list trained avatars');
  avatars
    .command('list <project>')
    .description('list the avatars of a project with their held-out metrics')
    .action((ref: string) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const list = await ctx.call('avatars.list', { projectId: p.id });
        const text = list.length
          ? list.map((a) => `${a.id}  ${a.name}  v${a.version}  ${a.preset ?? ''} ${a.steps ?? '?'} steps  ${a.gaussians ?? '?'} Gaussians  ${a.metrics ? `PSNR ${a.metrics.psnr.toFixed(2)} dB  SSIM ${a.metrics.ssim.toFixed(3)}` : 'no test metrics'}`).join('\n')
          : 'No avatars.';
        return { json: { avatars: list }, text };
      }),
    );

  const captures = program.command('captures').description('list and inspect captures');
  captures
    .command('list <project>')
    .description('list the captures of a project')
    .action((ref: string) =>
      run(async (ctx) => {
        const p = await ctx.resolveProject(ref);
        const list = await ctx.call('captures.list', { projectId: p.id });
        const text = list.length
          ? list.map((c) => `${c.id}  ${c.name}  ${c.kind}  ${c.frameCount} frames${c.cameras.length > 1 ? ` × ${c.cameras.length}` : ''}  ${c.width}×${c.height}  train ${c.splitCounts.train} / test ${c.splitCounts.test} / excluded ${c.splitCounts.excluded}`).join('\n')
          : 'No captures.';
        return { json: { captures: list }, text };
      }),
    );

  const jobs = program.command('jobs').description('list, resume and cancel long-running work');
  jobs
    .command('list')
    .description('list jobs')
    .option('--active', 'only queued, running and interrupted jobs')
    .action((o: { active?: boolean }) =>
      run(async (ctx) => {
        const list = await ctx.call('jobs.list', { includeFinished: !o.active });
        return { json: { jobs: list }, text: jobsTable(list) };
      }),
    );
  jobs
    .command('resume <id>')
    .description('resume an interrupted, paused, cancelled or failed job (unless its input was refused) and wait for it')
    .action((id: string) =>
      run(async (ctx) => {
        const started = await ctx.call('jobs.resume', { id });
        const { job, exitCode } = await ctx.followJob(started);
        return { json: { job }, text: `${job.title}: ${job.status}${job.error ? ` — ${job.error.message}` : ''}`, exitCode };
      }),
    );
  jobs
    .command('cancel <id>')
    .description('cancel a job')
    .action((id: string) =>
      run(async (ctx) => {
        const job = await ctx.call('jobs.cancel', { id });
        return { json: { job }, text: `${job.title}: ${job.status}` };
      }),
    );

  program
    .command('serve')
    .description('web mode: serve the studio on http://127.0.0.1 with a per-launch token')
    .option('--port <port>', 'port (0 picks a free one)', '0')
    .action((o: { port: string }) =>
      run(async (ctx) => {
        const host = ctx.host('web');
        const server = await startWebServer({ host, rendererDir: findRendererDir(), port: numberFlag('port', o.port, { int: true, min: 0, max: 65535 }) });
        const info = host.services.library.info();
        process.stderr.write(`Avatar Studio (web mode) — library ${info.path}${info.readOnly ? ` (read-only: ${info.readOnlyReason})` : ''}\n`);
        process.stdout.write(ctx.json ? `${JSON.stringify({ url: server.url, port: server.port, library: info })}\n` : `Open ${server.url}\n`);
        // The first SIGINT / SIGTERM / SIGHUP stops the server; another one stops at once (signals.ts).
        await new Promise<void>((resolve) => ctx.onSignal(STOP_SIGNALS, () => resolve()));
        process.stderr.write('Stopping…\n');
        await server.close();
        return { json: undefined, text: '' };
      }),
    );

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  let globals: GlobalOptions = {};
  let current: CliContext | null = null;
  const run = async (action: (ctx: CliContext) => Promise<Out>) => {
    const ctx = new CliContext(globals);
    current = ctx;
    try {
      const out = await action(ctx);
      if (ctx.stoppedBy) return; // a signal stopped the run; its handler reports and exits
      if (out.json !== undefined) process.stdout.write(ctx.json ? `${JSON.stringify(out.json)}\n` : out.text ? `${out.text}\n` : '');
      exitCode = out.exitCode ?? EXIT.ok;
    } catch (err) {
      if (ctx.stoppedBy) return; // what failed is what the signal's clean-up closed
      const error = err instanceof StudioError ? err.toShape() : { code: 'INTERNAL' as const, message: (err as Error)?.message ?? String(err) };
      if (ctx.json) process.stdout.write(`${JSON.stringify({ error })}\n`);
      process.stderr.write(`avatar-studio: ${error.message}\n`);
      exitCode = exitCodeFor(error.code);
    } finally {
      await ctx.close();
    }
  };
  // SIGINT / SIGTERM / SIGHUP: the command takes it (Ctrl+C cancels a followed job) or the CLI stops at once, leaving
  // its job interrupted and the library released (signals.ts).
  const removeSignalHandlers = installStopSignals(
    () => current,
    () => !!(current?.json ?? argv.includes('--json')),
  );
  const program = buildProgram(run);
  program.hook('preAction', (cmd) => {
    globals = cmd.optsWithGlobals() as GlobalOptions;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    throw err;
  } finally {
    removeSignalHandlers();
  }
  return exitCode;
}

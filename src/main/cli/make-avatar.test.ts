import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOB_TEST_TIMEOUT, STALL_MS } from '../testing/job-wait';
import { runCli, spawnCli } from '../testing/run-cli';
import { useTempDirs } from '../testing/temp-dir';
import { EXIT } from './exit-codes';

/** A talking-head-like clip made from a face photo that an npm package ships, panned slowly (as in train-job.test). */
const PHOTO = fileURLToPath(new URL('../../../node_modules/@vladmandic/face-api/demo/sample3.jpg', import.meta.url));
const TINY = ['--steps', '10', '--uv', '32', '--long-side', '64'];

const tempDir = useTempDirs();

/**
 * The run's end, with no fixed deadline: the CLI prints each stage and its progress on stderr, and the run fails only
 * when it printed nothing for STALL_MS (testing/job-wait.ts), however slowly a busy machine makes it go.
 */
function finished(child: ChildProcess, onStderr?: (text: string) => void): Promise<{ code: number | null; stdout: string; stderr: string; json: any }> {
  let stdout = '';
  let stderr = '';
  let last = performance.now();
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    last = performance.now();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    last = performance.now();
    onStderr?.(stderr);
  });
  return new Promise((resolve, reject) => {
    const stall = setInterval(() => {
      if (performance.now() - last < STALL_MS) return;
      clearInterval(stall);
      child.kill('SIGKILL');
      reject(new Error(`make-avatar printed nothing for ${STALL_MS / 1000} s (the stall limit); stderr so far:\n${stderr.slice(-2000)}`));
    }, 1000);
    child.once('exit', (code) => {
      clearInterval(stall);
      let json: any = null;
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      } catch {
        json = null;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

describe('avatar-studio make-avatar', () => {
  it('Ctrl+C cancels the running stage; the same command with --project resumes it and prints the avatar with its metrics', async () => {
    const lib = tempDir();
    const clip = path.join(tempDir('media-'), 'talking.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', PHOTO, '-vf', "crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=512:512", '-t', '1.2', '-r', '10', '-pix_fmt', 'yuv420p', clip]);

    // First run: import and track complete; Ctrl+C as soon as training starts cancels that job.
    const first = spawnCli(['--library', lib, '--json', 'make-avatar', clip, '--project', 'Talking', ...TINY]);
    let interrupted = false;
    const cancelled = await finished(first, (err) => {
      if (!interrupted && /\[3\/3\] Train/.test(err)) {
        interrupted = true;
        first.kill('SIGINT');
      }
    });
    expect(cancelled.code, cancelled.stderr).toBe(EXIT.cancelled);
    expect(cancelled.json).toMatchObject({ project: { name: 'Talking' }, failedStage: 'train', stages: { import: { status: 'done' }, track: { status: 'done' }, train: { status: 'cancelled' } } });
    expect(cancelled.stderr).toMatch(/Created project “Talking”/);
    expect(cancelled.stderr).toMatch(/make-avatar .* --project "Talking"/);

    // Second run: the capture (same footage) and its tracking are reused, the cancelled training resumes.
    const second = await finished(spawnCli(['--library', lib, '--json', 'make-avatar', clip, '--project', 'Talking', ...TINY]));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim().split('\n')).toHaveLength(1);
    const out = second.json;
    expect(out.stages).toMatchObject({ import: { status: 'reused' }, track: { status: 'reused' }, train: { status: 'resumed' } });
    expect(out.project.id).toBe(cancelled.json.project.id);
    expect(out.capture).toMatchObject({ name: 'talking', frames: 12, split: { train: 10, test: 2 } });
    expect(out.tracking.tracked).toBeGreaterThanOrEqual(11);
    expect(out).toMatchObject({ preset: 'preview', steps: 10, testFrames: 2, trainFrames: 10 });
    expect(out.gaussians).toBeGreaterThan(0);
    expect(Number.isFinite(out.metrics.psnr) && out.metrics.psnr > 10).toBe(true);
    expect(out.metrics.ssim).toBeGreaterThan(0);
    expect(out.metrics.ssim).toBeLessThanOrEqual(1);
    expect(out.avatar).toMatchObject({ captureId: out.capture.id, headModel: 'open-head', steps: 10, metrics: out.metrics });

    const listed = runCli(['--library', lib, '--json', 'avatars', 'list', 'Talking']);
    expect(listed.code).toBe(0);
    expect(listed.json.avatars.map((a: { id: string }) => a.id)).toEqual([out.avatar.id]);
    const projects = runCli(['--library', lib, '--json', 'projects', 'list']).json.projects;
    expect(projects.map((p: { name: string }) => p.name)).toEqual(['Talking']);
  }, JOB_TEST_TIMEOUT);

  it('refuses a missing video, bad training flags and unreadable footage with the documented exit codes', () => {
    const lib = tempDir();
    const missing = runCli(['--library', lib, '--json', 'make-avatar', '/nonexistent/take.mp4']);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const bad = runCli(['--library', lib, '--json', 'make-avatar', PHOTO, '--steps', 'many']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.json.error.message).toMatch(/--steps must be a number/);
    const range = runCli(['--library', lib, '--json', 'train', 'Nobody', '--lr-offset', '1']);
    expect(range.code).toBe(EXIT.usage);
    expect(range.json.error.message).toMatch(/--lr-offset 1/);
    expect(runCli(['--library', lib, '--json', 'projects', 'list']).json.projects).toEqual([]);

    // Footage the import refuses: the project this run made for it goes to the trash.
    const junk = path.join(tempDir('media-'), 'notes.mp4');
    fs.writeFileSync(junk, 'not a video');
    const refused = runCli(['--library', lib, '--json', 'make-avatar', junk]);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.json).toMatchObject({ failedStage: 'import', stages: { import: { status: 'failed' } }, error: { code: 'BAD_REQUEST' } });
    expect(runCli(['--library', lib, '--json', 'projects', 'list', '--trash']).json.projects.map((p: { name: string }) => p.name)).toEqual(['notes']);
  }, JOB_TEST_TIMEOUT); // six CLI runs, each starting Node and tsx: as slow as the machine's load makes them
});

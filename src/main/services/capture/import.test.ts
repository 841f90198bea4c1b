import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Capture } from '@shared/model/capture';
import { canResumeJob, type Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { makeImages, makeVideo } from '../../testing/media-fixtures';
import { useTempDirs } from '../../testing/temp-dir';

const tempDir = useTempDirs();
let host: StudioHost;
let media: string;
let projectId: string;

beforeEach(() => {
  host = StudioHost.open({ libraryDir: tempDir(), frontDoor: 'cli' });
  media = tempDir('media-');
  projectId = host.services.projects.create('Footage').id;
});
afterEach(async () => {
  delete process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS;
  await host.close();
});

async function importJob(params: Record<string, unknown>): Promise<Job> {
  const out = await host.dispatch('captures.import', { projectId, ...params });
  if (!out.ok) throw new Error(out.error.message);
  return host.jobs.waitFor((out.result as Job).id);
}

async function imported(params: Record<string, unknown>): Promise<Capture> {
  const job = await importJob(params);
  expect(job.error?.message ?? null).toBeNull();
  expect(job.status).toBe('completed');
  return host.services.captures.get((job.result as { captureId: string }).captureId);
}

function libraryIntact(): void {
  expect(host.services.captures.list(projectId)).toEqual([]);
  expect(fs.readdirSync(host.services.projects.folderOf(projectId)).filter((f) => f !== 'captures')).toEqual([]);
  const captures = path.join(host.services.projects.folderOf(projectId), 'captures');
  if (fs.existsSync(captures)) expect(fs.readdirSync(captures)).toEqual([]);
  expect(host.services.projects.get(projectId).name).toBe('Footage');
}

describe('import', () => {
  it('extracts a video at the source rate, stores frames, thumbnails, hashes and quality, and proposes a split', async () => {
    const file = makeVideo(media, 'talk.mp4', { size: '640x360', rate: 25, seconds: 2 });
    const c = await imported({ sources: [{ path: file }] });
    expect(c).toMatchObject({ kind: 'video', name: 'talk', fps: 25, width: 640, height: 360, frameCount: 50 });
    expect(c.splitCounts).toEqual({ train: 40, test: 10, excluded: 0 });
    const { total, frames } = host.services.captures.frames(c.id, { offset: 0, limit: 100 });
    expect(total).toBe(50);
    expect(frames[49]!.timeS).toBeCloseTo(49 / 25);
    expect(frames[49]!.split).toBe('test');
    expect(frames[0]!.sharpness).toBeGreaterThan(0);
    expect(frames[0]!.exposure).toBeGreaterThan(0.05);
    const root = host.services.projects.folderOf(projectId);
    expect(fs.existsSync(path.join(root, frames[10]!.file))).toBe(true);
    expect(fs.existsSync(path.join(root, frames[10]!.thumb))).toBe(true);
    const blob = host.services.blobs.find(projectId, frames[10]!.file)!;
    expect(blob.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(host.services.projects.get(projectId).thumbnail).toMatch(/thumbs\/000025\.jpg$/);
  });

  it.each([
    ['webm', 'VP9', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k']],
    ['mov', 'ProRes', ['-c:v', 'prores_ks', '-profile:v', '0']],
    ['mkv', 'HEVC', ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error']],
  ])('imports %s (%s)', async (ext, _codec, codec) => {
    const file = makeVideo(media, `clip.${ext}`, { size: '320x240', rate: 10, seconds: 1, codec: codec as string[] });
    const c = await imported({ sources: [{ path: file }] });
    expect([c.frameCount, c.width, c.height]).toEqual([10, 320, 240]);
  });

  it('caps the rate at 30 fps and the long side at 1024 by default, and honours chosen values', async () => {
    const file = makeVideo(media, 'fast.mp4', { size: '1280x720', rate: 60, seconds: 1 });
    const c = await imported({ sources: [{ path: file }] });
    expect([c.fps, c.frameCount, c.width, c.height]).toEqual([30, 30, 1024, 576]);
    const d = await imported({ sources: [{ path: file }], options: { fps: 10, longSide: 256, allowDuplicate: true } });
    expect([d.fps, d.frameCount, d.width, d.height]).toEqual([10, 10, 256, 144]);
  });

  it('honours rotation metadata', async () => {
    const file = makeVideo(media, 'phone.mp4', { size: '320x240' });
    const rotated = path.join(media, 'phone-rotated.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', file, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const c = await imported({ sources: [{ path: rotated }] });
    expect([c.width, c.height]).toEqual([240, 320]);
    expect([90, 270]).toContain(c.source.rotation);
  });

  it('resamples variable frame rate footage to a constant rate', async () => {
    const vfr = path.join(media, 'vfr.mkv');
    // 1 s at 30 fps, then 1 s at 10 fps.
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '2', '-vf', "select='lt(t,1)+gte(t,1)*not(mod(n,3))'", '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', vfr]);
    const c = await imported({ sources: [{ path: vfr }], options: { fps: 20, longSide: 1024, allowDuplicate: false } });
    expect(c.frameCount).toBeGreaterThanOrEqual(38);
    expect(c.frameCount).toBeLessThanOrEqual(41);
  });

  it('detects a re-import of the same file and allows it when asked', async () => {
    const file = makeVideo(media, 'same.mp4');
    await imported({ sources: [{ path: file }] });
    const again = await importJob({ sources: [{ path: file }] });
    expect(again.status).toBe('failed');
    expect(again.error).toMatchObject({ code: 'CONFLICT' });
    expect(again.error!.message).toMatch(/already in the project as “same”/);
    expect(host.services.captures.list(projectId)).toHaveLength(1);
    // resuming the refused job would refuse it again: not offered, and refused with the reason
    expect(canResumeJob(again)).toBe(false);
    const resumed = await host.dispatch('jobs.resume', { id: again.id });
    expect(resumed).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/input was refused.*already in the project.*Start a new one/) } });
    await imported({ sources: [{ path: file }], options: { allowDuplicate: true, longSide: 1024 } });
    expect(host.services.captures.list(projectId)).toHaveLength(2);
  });

  it('imports a folder of images as a sequence and a single photo', async () => {
    const seq = await imported({ sources: [{ path: makeImages(path.join(media, 'seq'), 12) }] });
    expect(seq).toMatchObject({ kind: 'images', frameCount: 12, width: 320, height: 240 });
    const photoDir = makeImages(path.join(media, 'photo'), 1, '640x480', 'jpg');
    const photo = await imported({ sources: [{ path: path.join(photoDir, 'img_001.jpg') }] });
    expect(photo).toMatchObject({ kind: 'photo', frameCount: 1, fps: null });
  });

  it('imports synchronised videos as one multi-view capture with a calibration file', async () => {
    const a = makeVideo(media, 'cam_220700191.mp4', { size: '400x300', seconds: 1 });
    const b = makeVideo(media, 'cam_221501007.mp4', { size: '400x300', seconds: 1, extra: ['-vf', 'hflip'] });
    const calib = path.join(media, 'calibration.json');
    const eye = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1];
    fs.writeFileSync(
      calib,
      JSON.stringify({
        format: 'avatar-studio-calibration/1',
        cameras: [
          { source: 'cam_220700191.mp4', width: 800, height: 600, fx: 1000, fy: 1000, cx: 400, cy: 300, worldToCamera: eye },
          { source: 1, width: 800, height: 600, fx: 1200, fy: 1200, cx: 410, cy: 290, worldToCamera: eye },
        ],
      }),
    );
    const c = await imported({ sources: [{ path: a }, { path: b }], multiview: true, calibration: { path: calib } });
    expect(c.kind).toBe('multiview');
    expect(c.cameras).toHaveLength(2);
    expect(c.cameras[1]!.intrinsics).toEqual({ fx: 600, fy: 600, cx: 205, cy: 145 });
    expect(host.services.captures.frames(c.id, { offset: 0, limit: 1000 }).total).toBe(60);
  });

  it('marks ranges, proposes the default split again, and excludes blurry frames', async () => {
    const sharp = makeVideo(media, 'sharp.mp4', { size: '320x240', seconds: 1 });
    const blurry = makeVideo(media, 'blurry.mp4', { size: '320x240', seconds: 1, extra: ['-vf', 'boxblur=8'] });
    const joined = path.join(media, 'joined.mp4');
    fs.writeFileSync(path.join(media, 'list.txt'), `file '${sharp}'\nfile '${blurry}'\nfile '${sharp}'\n`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', path.join(media, 'list.txt'), '-c', 'copy', joined]);
    const c = await imported({ sources: [{ path: joined }] });
    expect(c.frameCount).toBe(90);
    const { excluded } = host.services.captures.excludeBlurry(c.id, 0.35);
    expect(excluded.length).toBeGreaterThanOrEqual(28);
    expect(excluded.every((i) => i >= 29 && i <= 61)).toBe(true);
    const marked = host.services.captures.setSplit(c.id, [{ from: 0, to: 4 }], 'test');
    expect(marked.splitCounts.test).toBeGreaterThanOrEqual(5);
    const proposed = host.services.captures.proposeSplit(c.id, 0.2);
    expect(proposed.splitCounts.excluded).toBe(excluded.length);
    expect(proposed.splitCounts.test).toBe(Math.round((90 - excluded.length) * 0.2));
  });

  it('resumes an import whose worker was killed mid-extraction, keeping the frames already made', async () => {
    const file = makeVideo(media, 'resume.mp4', { size: '640x360', seconds: 20 });
    const out = await host.dispatch('captures.import', { projectId, sources: [{ path: file }] });
    const id = (out as { result: Job }).result.id;
    await new Promise<void>((resolve) => {
      const check = (j: Job) => {
        if (j.id === id && j.progress.unit === 'frames' && host.services.jobs.get(id).checkpoint) {
          host.jobs.off('updated', check);
          resolve();
        }
      };
      host.jobs.on('updated', check);
    });
    const running = (host.jobs as unknown as { running: Map<string, { worker: { pid: number } }> }).running;
    process.kill(running.get(id)!.worker.pid, 'SIGKILL');
    expect((await host.jobs.waitFor(id)).status).toBe('interrupted');
    expect(host.services.captures.list(projectId)).toEqual([]);
    const checkpoint = host.services.jobs.get(id).checkpoint as { framesDone: number };
    expect(checkpoint.framesDone).toBeGreaterThan(0);
    await host.dispatch('jobs.resume', { id });
    const done = await host.jobs.waitFor(id);
    expect(done.status).toBe('completed');
    const c = host.services.captures.get((done.result as { captureId: string }).captureId);
    expect(c.frameCount).toBe(600);
    const frames = host.services.captures.frames(c.id, { offset: 0, limit: 500 }).frames;
    expect(frames.every((f) => f.sharpness !== null && f.sharpness > 0)).toBe(true);
  });

  it('a duplicated project gets its own copy of the captures, frames and splits', async () => {
    const c = await imported({ sources: [{ path: makeVideo(media, 'dup.mp4', { seconds: 1 }) }] });
    host.services.captures.setSplit(c.id, [{ from: 0, to: 2 }], 'excluded');
    const started = await host.dispatch('projects.duplicate', { id: projectId, name: 'Copy' });
    const job = await host.jobs.waitFor((started as { result: Job }).result.id);
    expect(job.status).toBe('completed');
    const copyId = (job.result as { projectId: string }).projectId;
    const [copy] = host.services.captures.list(copyId);
    expect(copy!.id).not.toBe(c.id);
    expect(copy!.splitCounts).toEqual(host.services.captures.get(c.id).splitCounts);
    const frames = host.services.captures.frames(copy!.id, { offset: 0, limit: 100 }).frames;
    expect(frames).toHaveLength(30);
    expect(frames[0]!.file.startsWith(`captures/${copy!.id}/`)).toBe(true);
    expect(fs.existsSync(path.join(host.services.projects.folderOf(copyId), frames[0]!.file))).toBe(true);
    expect(host.services.projects.get(copyId).thumbnail).toMatch(new RegExp(`^captures/${copy!.id}/`));
    host.services.captures.delete(c.id);
    expect(fs.existsSync(path.join(host.services.projects.folderOf(copyId), frames[29]!.thumb))).toBe(true);
  });

  it('cancel leaves nothing half-imported', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '400';
    const file = makeVideo(media, 'long.mp4', { seconds: 3 });
    const out = await host.dispatch('captures.import', { projectId, sources: [{ path: file }] });
    const job = out.ok ? (out.result as Job) : null;
    await new Promise((r) => setTimeout(r, 200));
    await host.dispatch('jobs.cancel', { id: job!.id });
    expect((await host.jobs.waitFor(job!.id)).status).toBe('cancelled');
    libraryIntact();
  });
});

describe('bad footage', () => {
  const expectRefused = async (params: Record<string, unknown>, code: string, message: RegExp) => {
    const job = await importJob(params);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe(code);
    expect(job.error?.message).toMatch(message);
    expect(canResumeJob(job), 'the refused input would be refused again: no Resume').toBe(false);
    libraryIntact();
  };

  it('refuses a file that is not media', async () => {
    const f = path.join(media, 'notes.mp4');
    fs.writeFileSync(f, 'these are not frames '.repeat(500));
    await expectRefused({ sources: [{ path: f }] }, 'BAD_REQUEST', /not a video or image/);
  });

  it('refuses a truncated video and a 0-byte file', async () => {
    const file = makeVideo(media, 'cut.mp4', { extra: ['-movflags', '+faststart'] });
    const cut = path.join(media, 'truncated.mp4');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(cut, bytes.subarray(0, 600));
    await expectRefused({ sources: [{ path: cut }] }, 'BAD_REQUEST', /could not|not a video|no playable|damaged/);
    const empty = path.join(media, 'empty.mov');
    fs.writeFileSync(empty, '');
    await expectRefused({ sources: [{ path: empty }] }, 'BAD_REQUEST', /empty \(0 bytes\)/);
  });

  it('refuses a video with no frames', async () => {
    const f = path.join(media, 'zero.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-frames:v', '0', '-c:v', 'libx264', f]);
    await expectRefused({ sources: [{ path: f }] }, 'BAD_REQUEST', /no playable video|not a video|no frames|could not/i);
  });

  it('downscales an 8K video to the chosen size', async () => {
    const file = makeVideo(media, '8k.mp4', { size: '7680x4320', rate: 5, seconds: 0.4 });
    const c = await imported({ sources: [{ path: file }] });
    expect([c.width, c.height, c.source.width]).toEqual([1024, 576, 7680]);
  });

  it('refuses an image folder with mixed sizes, naming the sizes', async () => {
    const dir = makeImages(path.join(media, 'mixed'), 3, '320x240');
    makeImages(path.join(media, 'other'), 1, '640x480');
    fs.copyFileSync(path.join(media, 'other', 'img_001.png'), path.join(dir, 'img_099.png'));
    await expectRefused({ sources: [{ path: dir }] }, 'BAD_REQUEST', /different sizes: 320×240 \(3\), 640×480 \(1\)/);
  });

  it('reports a source that disappears during the import', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '500';
    const dir = makeImages(path.join(media, 'vanishing'), 5);
    const out = await host.dispatch('captures.import', { projectId, sources: [{ path: dir }] });
    await new Promise((r) => setTimeout(r, 250));
    fs.rmSync(dir, { recursive: true });
    const job = await host.jobs.waitFor((out as { result: Job }).result.id);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('NOT_FOUND');
    expect(job.error?.message).toMatch(/disappeared|no longer there/);
    host.jobs.dismiss(job.id);
    libraryIntact();
  });

  it('refuses several videos that are not marked multi-view, and an unknown upload', async () => {
    const a = makeVideo(media, 'a.mp4');
    const b = makeVideo(media, 'b.mp4');
    await expectRefused({ sources: [{ path: a }, { path: b }] }, 'BAD_REQUEST', /multi-view/);
    const r = await host.dispatch('captures.import', { projectId, sources: [{ uploadId: '0'.repeat(32) }] });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

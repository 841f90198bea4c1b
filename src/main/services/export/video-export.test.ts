import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@shared/model/job';
import type { ExportRecord } from '@shared/model/export';
import { StudioHost } from '../../host/studio-host';
import { JOB_TEST_TIMEOUT, waitForJob, waitForJobState } from '../../testing/job-wait';
import { REPO_ROOT, spawnWhileAdvancing } from '../../testing/run-cli';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { craftTrackedCapture } from '../training/test-capture';
import { craftAvatar } from './test-avatar';
import { toStraightRgba8 } from '@engine/avatar/render/avatar-frame-renderer';

let host: StudioHost;
let projectId: string;
let media: string;
let out: string;
let root: string;
let avatarId: string;

async function call<T>(method: string, params: unknown): Promise<T> {
  const r = await host.dispatch(method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}

function probe(file: string): { width: number; height: number; frames: number; codec: string; pix: string } {
  const r = spawnSync(findFfmpeg().ffprobe, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames,codec_name,pix_fmt', '-of', 'json', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const s = JSON.parse(r.stdout).streams[0];
  return { width: s.width, height: s.height, frames: Number(s.nb_read_frames), codec: s.codec_name, pix: s.pix_fmt };
}

beforeAll(async () => {
  const tmp = process.env.TMPDIR ?? '/tmp';
  host = StudioHost.open({ libraryDir: fs.mkdtempSync(path.join(tmp, 'video-lib-')), frontDoor: 'cli' });
  projectId = host.services.projects.create('Video').id;
  media = fs.mkdtempSync(path.join(tmp, 'video-media-'));
  out = fs.mkdtempSync(path.join(tmp, 'video-out-'));
  const capture = await craftTrackedCapture(host, projectId, media, { frames: 4 });
  root = host.services.projects.folderOf(projectId);
  avatarId = craftAvatar(host, projectId, capture.id, 16).avatarId;
}, JOB_TEST_TIMEOUT); // in-process crafting, as slow as the machine's load makes it
afterAll(async () => {
  await host.close();
  for (const d of [host.services.library.dir, media, out]) fs.rmSync(d, { recursive: true, force: true });
});

describe('video exports', () => {
  it('turntable MP4: H.264 yuv420p at the chosen size, one frame per step, recorded and repeatable', async () => {
    const started = await call<Job>('exports.create', { avatarId, format: 'mp4', video: { sequence: 'turntable', width: 64, height: 48, fps: 12, frames: 6, crf: 23 } });
    const job = await waitForJob(host, started.id);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const r = job.result as { path: string; size: number; frames: number };
    expect(r.path).toBe('exports/crafted-avatar-v1-turntable-64x48.mp4');
    expect(r.frames).toBe(6);
    const file = path.join(root, r.path);
    expect(fs.statSync(file).size).toBe(r.size);
    expect(probe(file)).toEqual({ width: 64, height: 48, frames: 6, codec: 'h264', pix: 'yuv420p' });
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const rec = (await call<ExportRecord[]>('exports.list', { projectId }))[0]!;
    expect(rec).toMatchObject({ format: 'mp4', path: r.path, settings: { frames: 6, video: { sequence: 'turntable', width: 64, height: 48, fps: 12, crf: 23, frames: 6 } } });
    fs.rmSync(file);
    const again = await waitForJob(host, (await call<Job>('exports.repeat', { id: rec.id })).id);
    expect(again.status).toBe('completed');
    expect(probe(file).frames).toBe(6);
  }, JOB_TEST_TIMEOUT);

  it('tracked PNG sequence: one RGBA PNG per tracked frame, transparent around the head, opaque on it', async () => {
    const target = path.join(out, 'seq');
    const job = await waitForJob(host, (await call<Job>('exports.create', { avatarId, format: 'png-sequence', path: target, video: { sequence: 'tracked', width: 40, height: 40 } })).id);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const files = fs.readdirSync(target).sort();
    expect(files).toEqual(['frame-00000.png', 'frame-00001.png', 'frame-00002.png', 'frame-00003.png', 'sequence.json']);
    const png = PNG.sync.read(fs.readFileSync(path.join(target, 'frame-00000.png')));
    expect([png.width, png.height, png.colorType]).toEqual([40, 40, 6]);
    const alpha = (x: number, y: number) => png.data[(y * 40 + x) * 4 + 3]!;
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(39, 0)).toBe(0);
    let covered = 0;
    for (let i = 3; i < png.data.length; i += 4) if (png.data[i]! > 200) covered++;
    expect(covered, 'the head covers part of the frame').toBeGreaterThan(40);
    expect(JSON.parse(fs.readFileSync(path.join(target, 'sequence.json'), 'utf8'))).toMatchObject({ frames: 4, width: 40, height: 40, alpha: 'straight', sequence: 'tracked' });
    expect(fs.readdirSync(out)).toEqual(['seq']);
  }, JOB_TEST_TIMEOUT);

  it('straight alpha from the premultiplied render: rgb / a, empty pixels transparent black', () => {
    const rgba = toStraightRgba8(Float32Array.from([0.25, 0.1, 0, 0.5, 0, 0, 0, 0, 0.2, 0.4, 0.6, 1]));
    expect(Array.from(rgba)).toEqual([128, 51, 0, 128, 0, 0, 0, 0, 51, 102, 153, 255]);
  });

  it('cancel kills ffmpeg and leaves no partial file', async () => {
    const target = path.join(out, 'cancelled.mp4');
    const started = await call<Job>('exports.create', { avatarId, format: 'mp4', path: target, video: { width: 32, height: 32, frames: 400 } });
    // Cancelled once frames are being encoded (ffmpeg running), however long a busy machine takes to get there.
    await waitForJobState(host, started.id, (j) => (j.progress.done ?? 0) >= 2, 'waiting for two encoded frames');
    await call('jobs.cancel', { id: started.id });
    const job = await waitForJob(host, started.id);
    expect(job.status).toBe('cancelled');
    await new Promise((res) => setTimeout(res, 500));
    expect(fs.readdirSync(out).filter((f) => f.includes('cancelled'))).toEqual([]);
  }, JOB_TEST_TIMEOUT);

  it('refuses bad video requests clearly', async () => {
    await expect(call('exports.create', { avatarId, format: 'mp4', video: { width: 63 } })).rejects.toThrow(/width|multiple/i);
    await expect(call('exports.create', { avatarId, format: 'mp4', frame: 2 })).rejects.toThrow(/A video is a sequence/);
    await expect(call('exports.create', { avatarId, format: 'png-sequence', expression: [0.5], video: { sequence: 'tracked' } })).rejects.toThrow(/applies to a turntable only/);
    await expect(call('exports.create', { avatarId, format: 'ply', video: { sequence: 'turntable' } })).rejects.toThrow(/Video settings apply to mp4 and png-sequence/);
  });

  it('a read-only or full target: clear message, no partial file or temp left (private mount namespace)', async () => {
    const script = path.join(REPO_ROOT, 'src/main/services/export/video-refusal-scenario.ts');
    // Four small writes, printed at the end: STALL_MS (not a speed budget) ends a hang.
    const r = await spawnWhileAdvancing(['unshare', '-rm', process.execPath, '--import', 'tsx', script, out], { what: 'the video refusal scenario' });
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    for (const k of ['mp4ReadOnly', 'pngReadOnly']) {
      expect(seen[k].code, k).toBe('LIBRARY_READ_ONLY');
      expect(seen[k].message).toMatch(/is read-only: the export was not written\. Choose another location/);
      expect(seen[k].left).toEqual([]);
    }
    for (const k of ['mp4Full', 'pngFull']) {
      expect(seen[k].code, `${k}: ${seen[k].message}`).toBe('DISK_FULL');
      expect(seen[k].message).toMatch(/is full: the export was not written \(no partial file is left\)/);
      expect(seen[k].left).toEqual(['filler.bin']);
    }
  }, JOB_TEST_TIMEOUT);
});

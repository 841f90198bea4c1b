import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { craftedPng, makeVideo } from '../../testing/media-fixtures';
import { useTempDirs } from '../../testing/temp-dir';
import { MAX_SOURCE_SIDE, probeMedia } from './probe';

const tempDir = useTempDirs();

async function refusal(file: string): Promise<StudioError> {
  try {
    await probeMedia(file);
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError);
    return err as StudioError;
  }
  throw new Error(`${path.basename(file)} was accepted`);
}

/** A PNG whose header says width×height, with a tiny compressed IDAT: enough to probe, never allocated whole. */
function hugePng(file: string, width: number, height: number): string {
  return craftedPng(file, width, height, zlib.deflateSync(Buffer.alloc(1024)));
}

describe('probeMedia refusals', () => {
  it('says a text file named .mp4 is not a video (not that it looks truncated)', async () => {
    const f = path.join(tempDir(), 'notes.mp4');
    fs.writeFileSync(f, 'Shot list\n1. front, neutral\n2. smile\n'.repeat(20));
    const err = await refusal(f);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/“notes\.mp4” is not a video or image the studio can read/);
    expect(err.message).toMatch(/text/);
    expect(err.message).not.toMatch(/truncated/);
    expect(err.message).toMatch(/MP4, MOV, MKV or WebM/);
  });

  it('says other non-media bytes are not a media file, without calling them truncated', async () => {
    const f = path.join(tempDir(), 'data.mov');
    fs.writeFileSync(f, Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256)));
    const err = await refusal(f);
    expect(err.message).toMatch(/“data\.mov” is not a video or image/);
    expect(err.message).toMatch(/not a media file/);
    expect(err.message).not.toMatch(/truncated/);
  });

  it('says a real MP4 cut in half looks truncated', async () => {
    const dir = tempDir();
    const whole = makeVideo(dir, 'whole.mp4', { size: '160x120', rate: 10, seconds: 2 });
    const bytes = fs.readFileSync(whole);
    const cut = path.join(dir, 'cut.mp4');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await refusal(cut);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/“cut\.mp4”.*looks truncated/);
    expect(err.message).not.toMatch(/\btext\b/);
  });

  it('names the size limit and the image size for a 30000×30000 PNG, instead of calling it damaged', async () => {
    const f = hugePng(path.join(tempDir(), 'poster.png'), 30000, 30000);
    expect(fs.statSync(f).size).toBeLessThan(200);
    const err = await refusal(f);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).not.toMatch(/damaged/);
    expect(err.message).toMatch(/“poster\.png” is 30000×30000 pixels/);
    expect(err.message).toContain(String(MAX_SOURCE_SIDE));
    expect(err.message).toMatch(/scale it down/i);
  });

  it('still reads ordinary footage', async () => {
    const dir = tempDir();
    const v = await probeMedia(makeVideo(dir, 'ok.mp4', { size: '160x120', rate: 10, seconds: 1 }));
    expect(v).toMatchObject({ kind: 'video', width: 160, height: 120, fps: 10 });
    const png = path.join(dir, 'still.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x48', '-frames:v', '1', png]);
    expect(await probeMedia(png)).toMatchObject({ kind: 'image', width: 64, height: 48 });
  });
});

describe('importing refused footage through the job', () => {
  let host: StudioHost;
  let projectId: string;
  beforeEach(() => {
    host = StudioHost.open({ libraryDir: tempDir('probe-lib-'), frontDoor: 'cli' });
    projectId = host.services.projects.create('Refusals').id;
  });
  afterEach(async () => {
    await host.close();
  });
  const importJob = async (file: string): Promise<Job> => {
    const out = await host.dispatch('captures.import', { projectId, sources: [{ path: file }] });
    if (!out.ok) throw new Error(out.error.message);
    return host.jobs.waitFor((out.result as Job).id);
  };

  it('a 30000×30000 photo: over the size limit, with what to do', async () => {
    const job = await importJob(hugePng(path.join(tempDir(), 'poster.png'), 30000, 30000));
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('BAD_REQUEST');
    expect(job.error?.message).toMatch(/“poster\.png” is 30000×30000 pixels.*16384.*scale it down/i);
    expect(job.error?.message).not.toMatch(/damaged/);
  });

  it('a text file named .mp4: not a video, with what to use instead', async () => {
    const f = path.join(tempDir(), 'notes.mp4');
    fs.writeFileSync(f, 'these are not frames '.repeat(500));
    const job = await importJob(f);
    expect(job.error?.message).toMatch(/“notes\.mp4” is not a video or image the studio can read: it is text/);
    expect(job.error?.message).not.toMatch(/truncated/);
  });
});

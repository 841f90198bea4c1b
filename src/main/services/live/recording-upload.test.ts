import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveUpload } from '../../web/upload';
import { receiveRecordingChunk } from './recording-upload';

describe('live.upload (a recording in chunks)', () => {
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'live-upload-'));
  afterAll(() => fs.rmSync(lib, { recursive: true, force: true }));
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  const b64 = (a: number, b: number) => bytes.subarray(a, b).toString('base64');

  it('joins the chunks, in order, into an upload that resolveUpload finds', async () => {
    const first = await receiveRecordingChunk(lib, { name: 'take.webm', index: 0, chunk: b64(0, 1000), done: false });
    expect(first).toMatchObject({ size: 1000, done: false });
    // Nothing visible to resolveUpload until the last chunk.
    expect(resolveUpload(lib, first.uploadId)).toBeNull();
    await receiveRecordingChunk(lib, { uploadId: first.uploadId, name: 'take.webm', index: 1, chunk: b64(1000, 2000), done: false });
    const last = await receiveRecordingChunk(lib, { uploadId: first.uploadId, name: 'take.webm', index: 2, chunk: b64(2000, 3000), done: true });
    expect(last).toEqual({ uploadId: first.uploadId, size: 3000, done: true });
    const file = resolveUpload(lib, first.uploadId)!;
    expect(path.basename(file)).toBe('take.webm');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['take.webm']);
  });

  it('refuses chunks out of order, a later chunk without its id, and an unknown upload', async () => {
    const first = await receiveRecordingChunk(lib, { name: 'a.webm', index: 0, chunk: b64(0, 10), done: false });
    await expect(receiveRecordingChunk(lib, { uploadId: first.uploadId, name: 'a.webm', index: 2, chunk: b64(0, 10), done: false })).rejects.toThrow(/out of order/);
    await expect(receiveRecordingChunk(lib, { name: 'a.webm', index: 1, chunk: b64(0, 10), done: false })).rejects.toThrow(/index 0 and no uploadId/);
    await expect(receiveRecordingChunk(lib, { uploadId: '0'.repeat(32), name: 'a.webm', index: 1, chunk: b64(0, 10), done: true })).rejects.toThrow(/gone/);
  });

  it('gives a live-written WebM (no duration, as MediaRecorder writes it) its duration', async () => {
    // Piped out, the WebM muxer cannot seek back to write the duration: what a MediaRecorder recording looks like.
    const live = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '2', '-c:v', 'libvpx', '-f', 'webm', '-live', '1', 'pipe:1']);
    const probe = (f: string) => JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', f]).toString()).format.duration;
    const raw = path.join(lib, 'raw.webm');
    fs.writeFileSync(raw, live);
    expect(probe(raw)).toBeUndefined();
    const up = await receiveRecordingChunk(lib, { name: 'take.webm', index: 0, chunk: live.toString('base64'), done: true });
    expect(Number(probe(resolveUpload(lib, up.uploadId)!))).toBeCloseTo(2, 0);
  });
});

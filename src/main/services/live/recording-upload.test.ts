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

  it('joins the chunks, in order, into an upload that resolveUpload finds', () => {
    const first = receiveRecordingChunk(lib, { name: 'take.webm', index: 0, chunk: b64(0, 1000), done: false });
    expect(first).toMatchObject({ size: 1000, done: false });
    // Nothing visible to resolveUpload until the last chunk.
    expect(resolveUpload(lib, first.uploadId)).toBeNull();
    receiveRecordingChunk(lib, { uploadId: first.uploadId, name: 'take.webm', index: 1, chunk: b64(1000, 2000), done: false });
    const last = receiveRecordingChunk(lib, { uploadId: first.uploadId, name: 'take.webm', index: 2, chunk: b64(2000, 3000), done: true });
    expect(last).toEqual({ uploadId: first.uploadId, size: 3000, done: true });
    const file = resolveUpload(lib, first.uploadId)!;
    expect(path.basename(file)).toBe('take.webm');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['take.webm']);
  });

  it('refuses chunks out of order, a later chunk without its id, and an unknown upload', () => {
    const first = receiveRecordingChunk(lib, { name: 'a.webm', index: 0, chunk: b64(0, 10), done: false });
    expect(() => receiveRecordingChunk(lib, { uploadId: first.uploadId, name: 'a.webm', index: 2, chunk: b64(0, 10), done: false })).toThrow(/out of order/);
    expect(() => receiveRecordingChunk(lib, { name: 'a.webm', index: 1, chunk: b64(0, 10), done: false })).toThrow(/index 0 and no uploadId/);
    expect(() => receiveRecordingChunk(lib, { uploadId: '0'.repeat(32), name: 'a.webm', index: 1, chunk: b64(0, 10), done: true })).toThrow(/gone/);
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from '@engine/export/crc32';

/** Generates footage with ffmpeg's test sources; every fixture is made by the test that uses it. */
export function makeVideo(dir: string, name: string, opts: { size?: string; rate?: number; seconds?: number; extra?: string[]; codec?: string[] } = {}): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${opts.size ?? '320x240'}:rate=${opts.rate ?? 30}`,
    '-t', String(opts.seconds ?? 2),
    ...(opts.codec ?? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']),
    ...(opts.extra ?? []),
    out,
  ]);
  return out;
}

export function makeImages(dir: string, count: number, size = '320x240', ext = 'png'): string {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=10`, '-frames:v', String(count), path.join(dir, `img_%03d.${ext}`)]);
  return dir;
}

/**
 * A hand-made RGB PNG whose header says width×height, with `idat` as its (compressed) pixel data: for files that probe
 * as images but are too large to allocate, or whose data does not inflate.
 */
export function craftedPng(file: string, width: number, height: number, idat: Buffer): string {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]));
  return file;
}

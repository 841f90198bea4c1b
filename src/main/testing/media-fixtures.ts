import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

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

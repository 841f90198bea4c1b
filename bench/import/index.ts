/**
 * Import benchmark: a generated 1080p H.264 clip imported with the default settings (≤ 30 fps, long side 1024):
 * decode + frame JPEG + thumbnail + quality metrics + hashing + commit. Prints one JSON object (medians over runs)
 * as the last stdout line. Usage: npm run bench:import -- [seconds=10] [runs=3]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../../src/shared/model/job';
import { StudioHost } from '../../src/main/host/studio-host';
import { findFfmpeg } from '../../src/main/services/capture/ffmpeg-tools';

const seconds = Number(process.argv[2] ?? 10);
const runs = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
try {
  const clip = path.join(work, 'clip-1080p.mp4');
  // A moving picture with sensor-like noise, at a bitrate like phone footage (~20–30 Mbit/s).
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-vf', 'noise=alls=8:allf=t', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', clip]);
  const rates: number[] = [];
  const walls: number[] = [];
  let frames = 0;
  for (let i = 0; i < runs; i++) {
    const host = StudioHost.open({ libraryDir: path.join(work, `lib${i}`), frontDoor: 'cli' });
    const project = host.services.projects.create('Bench');
    const t = performance.now();
    const started = await host.dispatch('captures.import', { projectId: project.id, sources: [{ path: clip }] });
    if (!started.ok) throw new Error(started.error.message);
    const job: Job = await host.jobs.waitFor((started.result as Job).id);
    const wall = (performance.now() - t) / 1000;
    if (job.status !== 'completed') throw new Error(job.error?.message ?? job.status);
    frames = (job.result as { frames: number }).frames;
    rates.push(frames / wall);
    walls.push(wall);
    process.stderr.write(`run ${i + 1}: ${frames} frames in ${wall.toFixed(2)} s = ${(frames / wall).toFixed(1)} frames/s\n`);
    await host.close();
  }
  const tools = findFfmpeg();
  console.log(
    JSON.stringify({
      bench: 'import',
      source: { width: 1920, height: 1080, fps: 30, seconds, codec: 'h264', megabitsPerSecond: +((fs.statSync(clip).size * 8) / seconds / 1e6).toFixed(1) },
      stored: { longSide: 1024, fps: 30 },
      frames,
      runs,
      medianSeconds: +median(walls).toFixed(3),
      medianFramesPerSecond: +median(rates).toFixed(1),
      cpus: os.cpus().length,
      loadAverage1m: +os.loadavg()[0]!.toFixed(2),
      ffmpeg: `${tools.origin} ${tools.version}`,
    }),
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

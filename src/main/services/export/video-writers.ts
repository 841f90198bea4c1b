/**
 * Where rendered frames go, atomically: readers only ever see no file / the old file, or the complete new one.
 *
 * - `Mp4Writer`: raw RGBA frames streamed to ffmpeg's stdin (libx264, yuv420p, CRF, `+faststart`), written by ffmpeg
 *   to a temp file beside the target (created by us first, so a read-only folder fails before any work), fsynced and
 *   renamed over the target. ffmpeg must seek to write the MP4 index, so it writes the file itself rather than
 *   `writeFileAtomic`; the temp + fsync + rename protocol is the same.
 * - `PngSequenceWriter`: one RGBA PNG per frame (`frame-00000.png` …) + `sequence.json`, each by `writeFileAtomic`,
 *   into a temp folder beside the target folder, which `commitFolder` puts in place when complete (an older sequence
 *   there is replaced only then).
 *
 * `abort()` (cancel, error) kills ffmpeg and removes the temp file / folder; nothing partial is left.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { StudioError } from '@shared/api/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { commitFolder } from '../fs/folder-commit';
import { exportRefusal } from './write-export';

export interface FrameWriter {
  write(rgba: Uint8Array): Promise<void>;
  /** Completes the file / folder at the target; size in bytes (a folder: all its files), sha256 of the MP4 or of the manifest. */
  finish(): Promise<{ size: number; sha256: string }>;
  abort(): void;
}

const tempBeside = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);

function fsyncPath(p: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function prepareFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw exportRefusal(err, dir);
  }
}

export class Mp4Writer implements FrameWriter {
  private readonly tmp: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private stderr = '';
  private aborted = false;

  constructor(
    ffmpeg: string,
    private readonly target: string,
    private readonly o: { width: number; height: number; fps: number; crf: number },
  ) {
    const dir = path.dirname(target);
    prepareFolder(dir);
    this.tmp = tempBeside(target);
    try {
      fs.closeSync(fs.openSync(this.tmp, 'wx'));
    } catch (err) {
      throw exportRefusal(err, dir);
    }
    // ffmpeg picks the muxer from the extension; the temp name has none, so `-f mp4`.
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0']
      .concat(['-an', '-c:v', 'libx264', '-preset', 'medium', '-crf', String(o.crf), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', this.tmp]);
    this.child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.child.stdin.on('error', () => {}); // EPIPE when ffmpeg dies: reported by exit status and stderr.
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr += `\n${err.message}`;
        resolve(-1);
      });
      this.child.on('close', (code) => resolve(code));
    });
  }

  async write(rgba: Uint8Array): Promise<void> {
    if (rgba.length !== this.o.width * this.o.height * 4) throw new RangeError(`frame has ${rgba.length} bytes, need ${this.o.width * this.o.height * 4}`);
    if (this.child.exitCode !== null || this.child.stdin.destroyed) throw this.failure();
    if (!this.child.stdin.write(rgba))
      await new Promise<void>((resolve) => {
        const done = () => {
          this.child.stdin.off('drain', done);
          this.child.off('close', done);
          resolve();
        };
        this.child.stdin.once('drain', done);
        this.child.once('close', done);
      });
    if (this.child.exitCode !== null && this.child.exitCode !== 0) throw this.failure();
  }

  async finish(): Promise<{ size: number; sha256: string }> {
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw this.failure();
    try {
      fsyncPath(this.tmp);
      const bytes = fs.readFileSync(this.tmp);
      fs.renameSync(this.tmp, this.target);
      fsyncPath(path.dirname(this.target));
      return { size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    } catch (err) {
      this.abort();
      throw exportRefusal(err, path.dirname(this.target));
    }
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.tmp, { force: true });
    // ffmpeg may still hold the file open for a moment after the kill; remove it again once it has exited.
    void this.exited.then(() => fs.rmSync(this.tmp, { force: true }));
  }

  private failure(): StudioError | unknown {
    this.abort();
    const dir = path.dirname(this.target);
    if (/No space left on device|ENOSPC/i.test(this.stderr)) return exportRefusal(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }), dir);
    if (/Permission denied|Read-only file system/i.test(this.stderr)) return exportRefusal(Object.assign(new Error('EACCES'), { code: 'EACCES' }), dir);
    return new StudioError('INTERNAL', `ffmpeg could not encode the video: ${this.stderr.trim().split('\n').slice(-3).join(' ') || 'it exited without a message'}.`);
  }
}

export class PngSequenceWriter implements FrameWriter {
  private readonly tmp: string;
  private count = 0;
  private size = 0;
  private done = false;

  constructor(
    private readonly target: string,
    private readonly o: { width: number; height: number; fps: number; manifest: Record<string, unknown> },
  ) {
    const dir = path.dirname(target);
    prepareFolder(dir);
    this.tmp = tempBeside(target);
    try {
      fs.mkdirSync(this.tmp);
    } catch (err) {
      throw exportRefusal(err, dir);
    }
  }

  static frameName(i: number): string {
    return `frame-${String(i).padStart(5, '0')}.png`;
  }

  async write(rgba: Uint8Array): Promise<void> {
    const png = new PNG({ width: this.o.width, height: this.o.height, colorType: 6, inputColorType: 6, bitDepth: 8 });
    png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
    const bytes = PNG.sync.write(png, { colorType: 6 });
    this.size += this.put(PngSequenceWriter.frameName(this.count), bytes);
    this.count++;
  }

  async finish(): Promise<{ size: number; sha256: string }> {
    const manifest = JSON.stringify({ format: 'avatar-studio png-sequence', version: 1, width: this.o.width, height: this.o.height, fps: this.o.fps, frames: this.count, pattern: 'frame-%05d.png', alpha: 'straight', ...this.o.manifest }, null, 2);
    this.size += this.put('sequence.json', manifest);
    const dir = path.dirname(this.target);
    try {
      commitFolder({ partial: this.tmp, final: this.target });
    } catch (err) {
      this.abort();
      throw exportRefusal(err, dir);
    }
    this.done = true;
    return { size: this.size, sha256: createHash('sha256').update(manifest).digest('hex') };
  }

  abort(): void {
    if (!this.done) fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  private put(name: string, bytes: Uint8Array | string): number {
    try {
      return writeFileAtomic(path.join(this.tmp, name), bytes).size;
    } catch (err) {
      this.abort();
      throw exportRefusal(err, path.dirname(this.target));
    }
  }
}

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { StudioError } from '@shared/api/errors';

const requirePackage = createRequire(import.meta.url);

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** 'system' (found on PATH or via AVATAR_STUDIO_FFMPEG) or 'bundled' (the npm package's binaries). */
  origin: 'system' | 'bundled';
  version: string;
}

let cached: FfmpegTools | null = null;

function versionOf(bin: string): string | null {
  const r = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || !r.stdout) return null;
  return /version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

function bundledPath(pkg: string): string | null {
  try {
    const p = (requirePackage(pkg) as { path: string }).path;
    if (!fs.existsSync(p)) return null;
    // The packages mark their binary executable in an install script, which some installs skip.
    if ((fs.statSync(p).mode & 0o111) === 0) fs.chmodSync(p, 0o755);
    return p;
  } catch {
    return null;
  }
}

/**
 * Finds ffmpeg and ffprobe: AVATAR_STUDIO_FFMPEG / AVATAR_STUDIO_FFPROBE, else the system's (usually newer, with
 * more decoders), else the binaries shipped in the @ffmpeg-installer / @ffprobe-installer packages, so a fresh
 * install decodes footage with no extra step.
 */
export function findFfmpeg(): FfmpegTools {
  if (cached) return cached;
  const envFfmpeg = process.env.AVATAR_STUDIO_FFMPEG;
  const envFfprobe = process.env.AVATAR_STUDIO_FFPROBE;
  const candidates: { ffmpeg: string; ffprobe: string; origin: FfmpegTools['origin'] }[] = [];
  if (envFfmpeg && envFfprobe) candidates.push({ ffmpeg: envFfmpeg, ffprobe: envFfprobe, origin: 'system' });
  if (process.env.AVATAR_STUDIO_FFMPEG_BUNDLED !== '1') candidates.push({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', origin: 'system' });
  const bf = bundledPath('@ffmpeg-installer/ffmpeg');
  const bp = bundledPath('@ffprobe-installer/ffprobe');
  if (bf && bp) candidates.push({ ffmpeg: bf, ffprobe: bp, origin: 'bundled' });
  for (const c of candidates) {
    const v = versionOf(c.ffmpeg);
    if (v && versionOf(c.ffprobe)) {
      cached = { ...c, version: v };
      return cached;
    }
  }
  throw new StudioError(
    'INTERNAL',
    'No ffmpeg was found to decode footage. Install ffmpeg (e.g. `apt-get install ffmpeg`, `brew install ffmpeg`), or reinstall Avatar Studio so its bundled ffmpeg is present.',
  );
}

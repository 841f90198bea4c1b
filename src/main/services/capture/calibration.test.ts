import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import { useTempDirs } from '../../testing/temp-dir';
import { MAX_CALIBRATION_BYTES, parseCalibration, readCalibration, scaleIntrinsics } from './calibration';

const tempDir = useTempDirs();
const eye4 = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 2], [0, 0, 0, 1]];
const ners = (extra: Record<string, unknown> = {}) => JSON.stringify({ intrinsics: [[7000, 0, 1100], [0, 7000, 1604], [0, 0, 1]], world_2_cam: { '220700191': eye4 }, ...extra });
const videos = ['cam_220700191.mp4'];

function refusal(f: () => unknown): StudioError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError);
    return err as StudioError;
  }
  throw new Error('expected a StudioError');
}

describe('calibration files', () => {
  it('reads NeRSemble camera_params.json at its reference size and rescales the intrinsics to the stored frames', () => {
    const [cam] = parseCalibration(ners(), 'camera_params.json', videos);
    expect(cam).toMatchObject({ width: 2200, height: 3208, intrinsics: { fx: 7000, fy: 7000, cx: 1100, cy: 1604 } });
    const [sized] = parseCalibration(ners({ referenceSize: [1100, 1604] }), 'camera_params.json', videos);
    expect(scaleIntrinsics(sized!, 550, 802)).toEqual({ fx: 3500, fy: 3500, cx: 550, cy: 802 });
  });

  it('refuses a zero, negative, non-finite, absurd or malformed NeRSemble referenceSize at parse time, naming it', () => {
    // "1e999" is how a JSON file spells Infinity
    for (const size of ['[0, 3208]', '[2200, 0]', '[-2200, 3208]', '[1e999, 3208]', '[2200, -1e999]', '[1e9, 3208]', '[0.5, 3208]', '[2200]', '[2200, 3208, 1]', '"2200x3208"', 'null', '["2200", "3208"]']) {
      const text = ners().replace(/}$/, `, "referenceSize": ${size}}`);
      const err = refusal(() => parseCalibration(text, 'camera_params.json', videos));
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toMatch(/camera_params\.json.*invalid referenceSize .*\[width, height\].*1 to 65536/);
    }
    // nested too deep for JSON.stringify (found by bench/fuzz): still a clear refusal, not a RangeError
    const deep = ners().replace(/}$/, `, "referenceSize": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    expect(refusal(() => parseCalibration(deep, 'camera_params.json', videos)).message).toMatch(/invalid referenceSize \[…\]/);
  });

  it('refuses zero focal lengths and absurd sizes in both formats before anything is extracted', () => {
    const noFocal = JSON.stringify({ intrinsics: [[0, 0, 1100], [0, 7000, 1604], [0, 0, 1]], world_2_cam: { '220700191': eye4 } });
    expect(refusal(() => parseCalibration(noFocal, 'camera_params.json', videos)).message).toMatch(/focal length of 0×7000/);
    const own = (cam: Record<string, unknown>) =>
      JSON.stringify({ format: 'avatar-studio-calibration/1', cameras: [{ source: 'a.mp4', width: 1920, height: 1080, fx: 1650, fy: 1650, cx: 960, cy: 540, worldToCamera: eye4.flat(), ...cam }] });
    expect(parseCalibration(own({}), 'cams.json', ['a.mp4'])[0]).toMatchObject({ width: 1920, intrinsics: { fx: 1650 } });
    for (const bad of [{ width: 0 }, { height: -5 }, { width: 1e-300 }, { width: 1e9 }, { fx: 0 }, { fy: 1e300 }, { cx: 1e300 }, { worldToCamera: [1, 2, 3] }]) {
      const err = refusal(() => parseCalibration(own(bad), 'cams.json', ['a.mp4']));
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toMatch(/cams\.json” has invalid values — cameras\.0\./);
    }
    expect(refusal(() => parseCalibration('{"format": "avatar-studio-calibration/7", "cameras": []}', 'cams.json', ['a.mp4'])).message).toMatch(/format "avatar-studio-calibration\/7"/);
    expect(refusal(() => parseCalibration('{"cameras": []}', 'cams.json', ['a.mp4'])).message).toMatch(/not a calibration file the studio knows/);
    expect(refusal(() => parseCalibration('{nope', 'cams.json', ['a.mp4'])).message).toMatch(/not readable JSON/);
  });

  it('reads a regular file (a leading BOM is fine)', () => {
    const file = path.join(tempDir(), 'camera_params.json');
    fs.writeFileSync(file, `\uFEFF${ners()}`);
    expect(readCalibration(file, videos)[0]!.width).toBe(2200);
  });

  it('refuses, without reading them, a file over 16 MiB, a folder, a device and a FIFO; a missing file is NOT_FOUND', () => {
    const dir = tempDir();
    const huge = path.join(dir, 'huge.json');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, MAX_CALIBRATION_BYTES + 1); // sparse: nothing is written
    expect(refusal(() => readCalibration(huge, videos)).message).toMatch(/huge\.json is .*, over the .*limit/);
    expect(refusal(() => readCalibration(dir, videos)).message).toMatch(/is a folder, not a file/);
    if (process.platform !== 'win32') {
      expect(refusal(() => readCalibration('/dev/zero', videos)).message).toMatch(/\/dev\/zero is not a regular file/);
      const fifo = path.join(dir, 'pipe.json');
      execFileSync('mkfifo', [fifo]);
      // opened non-blocking: no writer ever comes, and the call still returns at once
      expect(refusal(() => readCalibration(fifo, videos)).message).toMatch(/pipe\.json is not a regular file/);
    }
    const missing = refusal(() => readCalibration(path.join(dir, 'nope.json'), videos));
    expect(missing.code).toBe('NOT_FOUND');
  });
});

/**
 * Calibration files (src/main/services/capture/calibration.ts, docs/calibration.md): the studio's own JSON and
 * NeRSemble's camera_params.json, parsed by `parseCalibration` — one case in eight written to a file and read back
 * through `readCalibration` (the size-capped regular-file read). Mutations aim at the numbers the studio uses: sizes,
 * intrinsics, referenceSize, matrices, serials.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCalibration, readCalibration, scaleIntrinsics, MAX_CALIBRATION_SIDE, type CameraCalibration } from '../../../src/main/services/capture/calibration';
import { ABSURD_NUMBERS, jsonMutators, RawJson, type Rng } from '../../../src/main/testing/fuzz';
import type { FuzzTarget } from './common';

const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x, null, 1));
const eye = (tz: number) => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, tz, 0, 0, 0, 1];
const rows = (m: number[]) => [m.slice(0, 4), m.slice(4, 8), m.slice(8, 12), m.slice(12, 16)];

/** Seed documents and the source names each is imported with. */
export function calibrationSeeds(): { bytes: Uint8Array; sources: string[] }[] {
  const own = {
    format: 'avatar-studio-calibration/1',
    cameras: [
      { source: 'cam_front.mp4', width: 1920, height: 1080, fx: 1650, fy: 1650, cx: 960, cy: 540, worldToCamera: eye(2.1) },
      { source: 1, width: 1920, height: 1080, fx: 1600, fy: 1610, cx: 955.5, cy: 541.25, worldToCamera: [0.9, 0, 0.43, 0.1, 0, 1, 0, 0, -0.43, 0, 0.9, 2.2, 0, 0, 0, 1] },
    ],
  };
  const intrinsics = [[7000.5, 0, 1100], [0, 7001, 1604], [0, 0, 1]];
  const ners = { intrinsics, world_2_cam: { '220700191': rows(eye(1)), '221501007': rows(eye(1.2)) } };
  const nersSized = { ...ners, referenceSize: [1100, 1604] };
  return [
    { bytes: enc(own), sources: ['cam_front.mp4', 'side.mp4'] },
    { bytes: enc(ners), sources: ['cam_220700191.mp4', 'cam_221501007.mp4'] },
    { bytes: enc(nersSized), sources: ['cam_220700191.mp4', 'cam_221501007.mp4'] },
  ];
}

const absurdSize = (rng: Rng) => rng.pick<unknown>([...ABSURD_NUMBERS, new RawJson('1e999'), new RawJson('-1e999'), [0, 3208], [-2200, 3208], [2200], [2200, 3208, 1], ['2200', '3208'], null, 'big']);

export const calibrationTarget: FuzzTarget = {
  name: 'calibration',
  about: 'calibration JSON (own format + NeRSemble camera_params.json) through parseCalibration / readCalibration',
  ciIterations: 1500,
  async create() {
    const seeds = calibrationSeeds();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-calibration-'));
    const file = path.join(dir, 'calibration.json');
    return {
      seeds: seeds.map((s) => s.bytes),
      mutators: jsonMutators({
        targets: [
          { path: /\.referenceSize(\[\d\])?$/, values: absurdSize },
          { path: /\.(width|height|fx|fy|cx|cy)$/ },
          { path: /\.intrinsics\[\d\](\[\d\])?$/ },
          { path: /\.worldToCamera(\[\d+\])?$/ },
          { path: /\.world_2_cam\.[^.[]+(\[\d\])?$/ },
          { path: /\.cameras(\[\d+\])?$/ },
          { path: /\.source$/ },
        ],
      }),
      // One case in eight goes through the file (the size-capped regular-file read); the rest parse the bytes.
      parse: (bytes: Uint8Array, c) => {
        if (c.seed % 8 !== 0) return parseCalibration(bytes, file, seeds[c.seedIndex]!.sources);
        fs.writeFileSync(file, bytes);
        return readCalibration(file, seeds[c.seedIndex]!.sources);
      },
      check: (cams: CameraCalibration[]) => {
        for (const cam of cams) {
          if (!(cam.width >= 1 && cam.width <= MAX_CALIBRATION_SIDE && cam.height >= 1 && cam.height <= MAX_CALIBRATION_SIDE)) throw new Error(`accepted image size ${cam.width}×${cam.height}`);
          if (!(cam.intrinsics.fx > 0 && cam.intrinsics.fy > 0)) throw new Error(`accepted focal length ${cam.intrinsics.fx}×${cam.intrinsics.fy}`);
          if (cam.extrinsics.length !== 16 || !cam.extrinsics.every(Number.isFinite)) throw new Error('accepted a non-finite or wrong-sized worldToCamera');
          const scaled = scaleIntrinsics(cam, 1024, 768);
          if (!Object.values(scaled).every(Number.isFinite)) throw new Error(`scaled intrinsics are not finite: ${JSON.stringify(scaled)}`);
        }
      },
      maxCaseMs: 3000,
      close: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
};

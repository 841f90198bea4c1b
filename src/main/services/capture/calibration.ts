import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';

/**
 * Calibration files for multi-view captures. Two formats are read:
 *
 * 1. The studio's own (`"format": "avatar-studio-calibration/1"`), documented in docs/calibration.md:
 *    `{ format, cameras: [{ source, width, height, fx, fy, cx, cy, worldToCamera: [16 numbers, row-major] }] }`
 *    where `source` is the video's file name (or its index in the import).
 * 2. NeRSemble's `camera_params.json`: `{ "intrinsics": 3×3 (shared), "world_2_cam": { "<serial>": 4×4 } }`,
 *    matched to videos whose file name contains the serial; intrinsics are for `referenceSize` (default 2200×3208,
 *    NeRSemble's full resolution) and are scaled to the stored frames.
 */
export interface CameraCalibration {
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  /** World→camera, row-major 4×4. */
  extrinsics: number[];
  /** Image size the intrinsics refer to. */
  width: number;
  height: number;
}

const Mat4 = z.array(z.number()).length(16);
const OwnFormat = z.object({
  format: z.literal('avatar-studio-calibration/1'),
  cameras: z.array(
    z.object({
      source: z.union([z.string(), z.number().int().nonnegative()]),
      width: z.number().positive(),
      height: z.number().positive(),
      fx: z.number().positive(),
      fy: z.number().positive(),
      cx: z.number(),
      cy: z.number(),
      worldToCamera: Mat4,
    }),
  ),
});
const Rows = (n: number) => z.array(z.array(z.number()).length(n)).length(n);
const NersembleFormat = z.object({ intrinsics: Rows(3), world_2_cam: z.record(z.string(), Rows(4)), referenceSize: z.tuple([z.number(), z.number()]).optional() });

/** Returns one calibration per source (in import order), or throws a clear error. */
export function readCalibration(file: string, sourceNames: string[]): CameraCalibration[] {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StudioError('BAD_REQUEST', `The calibration file “${path.basename(file)}” is not readable JSON (${(err as Error).message}).`);
  }
  const own = OwnFormat.safeParse(json);
  if (own.success) {
    return sourceNames.map((name, i) => {
      const cam = own.data.cameras.find((c) => c.source === name || c.source === i || (typeof c.source === 'string' && path.basename(c.source) === name));
      if (!cam) throw new StudioError('BAD_REQUEST', `The calibration file has no camera for “${name}”. Name each video in "source".`);
      return { intrinsics: { fx: cam.fx, fy: cam.fy, cx: cam.cx, cy: cam.cy }, extrinsics: cam.worldToCamera, width: cam.width, height: cam.height };
    });
  }
  const ners = NersembleFormat.safeParse(json);
  if (ners.success) {
    const [w, h] = ners.data.referenceSize ?? [2200, 3208];
    const k = ners.data.intrinsics;
    return sourceNames.map((name) => {
      const serial = Object.keys(ners.data.world_2_cam).find((s) => name.includes(s));
      if (!serial) throw new StudioError('BAD_REQUEST', `No camera in the NeRSemble calibration matches “${name}” (file names must contain the camera serial).`);
      return { intrinsics: { fx: k[0]![0]!, fy: k[1]![1]!, cx: k[0]![2]!, cy: k[1]![2]! }, extrinsics: ners.data.world_2_cam[serial]!.flat(), width: w, height: h };
    });
  }
  throw new StudioError('BAD_REQUEST', `“${path.basename(file)}” is not a calibration file the studio knows (see docs/calibration.md for the format).`);
}

/** Intrinsics rescaled to a stored frame size. */
export function scaleIntrinsics(c: CameraCalibration, width: number, height: number): CameraCalibration['intrinsics'] {
  const sx = width / c.width;
  const sy = height / c.height;
  return { fx: c.intrinsics.fx * sx, fy: c.intrinsics.fy * sy, cx: c.intrinsics.cx * sx, cy: c.intrinsics.cy * sy };
}

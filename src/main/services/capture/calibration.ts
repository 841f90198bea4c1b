import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { readOutsideFile } from '../fs/contained-path';

/**
 * Calibration files for multi-view captures. Two formats are read:
 *
 * 1. The studio's own (`"format": "avatar-studio-calibration/1"`), documented in docs/calibration.md:
 *    `{ format, cameras: [{ source, width, height, fx, fy, cx, cy, worldToCamera: [16 numbers, row-major] }] }`
 *    where `source` is the video's file name (or its index in the import).
 * 2. NeRSemble's `camera_params.json`: `{ "intrinsics": 3×3 (shared), "world_2_cam": { "<serial>": 4×4 } }`,
 *    matched to videos whose file name contains the serial; intrinsics are for `referenceSize` (default 2200×3208,
 *    NeRSemble's full resolution) and are scaled to the stored frames.
 *
 * A calibration file comes from outside: it is read through `readOutsideFile` (a regular file of at most
 * MAX_CALIBRATION_BYTES — a device such as /dev/zero, a FIFO or a folder is refused before anything is read), and
 * every number is checked here, at parse time, before any footage is extracted: image sizes are 1…MAX_CALIBRATION_SIDE
 * pixels, focal lengths positive, everything finite and within bounds that keep the rescaled intrinsics finite.
 */
export interface CameraCalibration {
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  /** World→camera, row-major 4×4. */
  extrinsics: number[];
  /** Image size the intrinsics refer to. */
  width: number;
  height: number;
}

/** A calibration file is a few KiB of JSON; anything over this is not one (and is not read). */
export const MAX_CALIBRATION_BYTES = 16 * 1024 * 1024;
/** Largest image side (pixels) a calibration may refer to. */
export const MAX_CALIBRATION_SIDE = 65_536;
/** Bound on focal lengths and principal points (pixels) and on matrix entries: keeps every rescaled value finite. */
const MAX_PIXELS_VALUE = 1e7;
const MAX_MATRIX_VALUE = 1e6;
/** NeRSemble's full resolution, which its intrinsics refer to unless the file says otherwise. */
export const NERSEMBLE_REFERENCE_SIZE: readonly [number, number] = [2200, 3208];
const OWN_FORMAT = 'avatar-studio-calibration/1';

const Side = z.number().min(1).max(MAX_CALIBRATION_SIDE);
const Focal = z.number().positive().max(MAX_PIXELS_VALUE);
const Centre = z.number().min(-MAX_PIXELS_VALUE).max(MAX_PIXELS_VALUE);
const Entry = z.number().min(-MAX_MATRIX_VALUE).max(MAX_MATRIX_VALUE);
const Mat4 = z.array(Entry).length(16);
const OwnFormat = z.object({
  format: z.literal(OWN_FORMAT),
  cameras: z
    .array(
      z.object({
        source: z.union([z.string().min(1), z.number().int().nonnegative()]),
        width: Side,
        height: Side,
        fx: Focal,
        fy: Focal,
        cx: Centre,
        cy: Centre,
        worldToCamera: Mat4,
      }),
    )
    .min(1),
});
const Rows = (n: number) => z.array(z.array(Entry).length(n)).length(n);
const NersembleFormat = z.object({
  intrinsics: Rows(3),
  world_2_cam: z.record(z.string().min(1), Rows(4)),
  referenceSize: z.unknown().optional(),
});

/** A value from the file, short, for a message (a hostile value may be nested too deep to stringify). */
const display = (v: unknown): string => {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return Array.isArray(v) ? '[…]' : typeof v;
  }
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
};

function invalid(name: string, error: z.ZodError): StudioError {
  const parts = error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return new StudioError('BAD_REQUEST', `The calibration file “${name}” has invalid values — ${parts.join('; ')}${more}. See docs/calibration.md for the format.`);
}

/** NeRSemble's optional `referenceSize`: `[width, height]` in pixels, each 1…MAX_CALIBRATION_SIDE. */
function referenceSize(name: string, raw: unknown): [number, number] {
  if (raw === undefined) return [...NERSEMBLE_REFERENCE_SIZE];
  const ok = Array.isArray(raw) && raw.length === 2 && raw.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= MAX_CALIBRATION_SIDE);
  if (!ok)
    throw new StudioError(
      'BAD_REQUEST',
      `The calibration file “${name}” has an invalid referenceSize ${display(raw)}: it must be [width, height], the image size in pixels its intrinsics refer to — two numbers from 1 to ${MAX_CALIBRATION_SIDE}. Remove it for NeRSemble's full resolution (${NERSEMBLE_REFERENCE_SIZE.join('×')}).`,
    );
  return [raw[0] as number, raw[1] as number];
}

/**
 * Parses a calibration document (the file's bytes or text). Returns one calibration per source (in import order), or
 * throws a StudioError BAD_REQUEST saying what is wrong.
 */
export function parseCalibration(content: Uint8Array | string, fileName: string, sourceNames: string[]): CameraCalibration[] {
  const name = path.basename(fileName);
  let json: unknown;
  try {
    const text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new StudioError('BAD_REQUEST', `The calibration file “${name}” is not readable JSON (${(err as Error).message.slice(0, 200)}).`);
  }
  const doc = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  if (doc && 'format' in doc) {
    if (doc.format !== OWN_FORMAT)
      throw new StudioError('BAD_REQUEST', `The calibration file “${name}” is in format ${display(doc.format)}; this studio reads "${OWN_FORMAT}" and NeRSemble's camera_params.json (see docs/calibration.md).`);
    const own = OwnFormat.safeParse(doc);
    if (!own.success) throw invalid(name, own.error);
    return sourceNames.map((source, i) => {
      const cam = own.data.cameras.find((c) => c.source === source || c.source === i || (typeof c.source === 'string' && path.basename(c.source) === source));
      if (!cam) throw new StudioError('BAD_REQUEST', `The calibration file has no camera for “${source}”. Name each video in "source".`);
      return { intrinsics: { fx: cam.fx, fy: cam.fy, cx: cam.cx, cy: cam.cy }, extrinsics: cam.worldToCamera, width: cam.width, height: cam.height };
    });
  }
  if (doc && ('intrinsics' in doc || 'world_2_cam' in doc)) {
    const ners = NersembleFormat.safeParse(doc);
    if (!ners.success) throw invalid(name, ners.error);
    const [w, h] = referenceSize(name, ners.data.referenceSize);
    const k = ners.data.intrinsics;
    const fx = k[0]![0]!, fy = k[1]![1]!, cx = k[0]![2]!, cy = k[1]![2]!;
    if (!(fx > 0 && fy > 0))
      throw new StudioError('BAD_REQUEST', `The calibration file “${name}” has intrinsics with a focal length of ${fx}×${fy}: the matrix must be [[fx,0,cx],[0,fy,cy],[0,0,1]] with fx and fy above zero.`);
    const cams = ners.data.world_2_cam;
    return sourceNames.map((source) => {
      const serial = Object.keys(cams).find((s) => source.includes(s));
      if (!serial) throw new StudioError('BAD_REQUEST', `No camera in the NeRSemble calibration matches “${source}” (file names must contain the camera serial).`);
      return { intrinsics: { fx, fy, cx, cy }, extrinsics: cams[serial]!.flat(), width: w, height: h };
    });
  }
  throw new StudioError('BAD_REQUEST', `“${name}” is not a calibration file the studio knows (see docs/calibration.md for the format).`);
}

/**
 * Reads and parses a calibration file: a regular file of at most MAX_CALIBRATION_BYTES (anything else — a device,
 * a FIFO, a folder, a huge file — is refused before it is read). Returns one calibration per source, or throws a clear
 * StudioError.
 */
export function readCalibration(file: string, sourceNames: string[]): CameraCalibration[] {
  const bytes = readOutsideFile(file, { maxBytes: MAX_CALIBRATION_BYTES, what: 'The calibration file' });
  return parseCalibration(bytes, file, sourceNames);
}

/** Intrinsics rescaled to a stored frame size. */
export function scaleIntrinsics(c: CameraCalibration, width: number, height: number): CameraCalibration['intrinsics'] {
  const sx = width / c.width;
  const sy = height / c.height;
  return { fx: c.intrinsics.fx * sx, fy: c.intrinsics.fy * sy, cx: c.intrinsics.cx * sx, cy: c.intrinsics.cy * sy };
}

/**
 * Training frames: an image (RGBA8 or float), an optional foreground mask, a camera and the head parameters
 * (model parameters + the rigid pose). Converted once into the float target layout the trainer composites from.
 */
import type { Camera } from '../../splat/camera';
import type { HeadModel, HeadParams } from '../head-model';
import { rodrigues } from '../math';

/** Head parameters of one frame: the model's (shape, expression, joint rotations) plus the rigid pose p = R·v + t. */
export interface FrameHeadParams extends HeadParams {
  /** Rigid rotation: axis-angle (3 numbers, radians) or a row-major 3×3 matrix (9 numbers). Default identity. */
  rotation?: ArrayLike<number>;
  /** Rigid translation (metres). Default zero. */
  translation?: ArrayLike<number>;
}

export interface AvatarFrame {
  /**
   * H·W·C pixels, C = `channels` (4 by default): Uint8Array/Uint8ClampedArray (0–255) or Float32Array (0–1).
   * With C = 4 and no `mask`, the alpha channel is the mask.
   */
  image: Uint8Array | Uint8ClampedArray | Float32Array;
  channels?: 3 | 4;
  /** Foreground matte, H·W (u8 0–255 or float 0–1). Null/absent with C = 3: everything is foreground. */
  mask?: Uint8Array | Uint8ClampedArray | Float32Array | null;
  /**
   * True when the RGB is already multiplied by the matte (a render over black, or a matted photo with a black
   * background); false (default) when it is the raw photo colour, to be composited as m·rgb + (1 − m)·bg.
   */
  premultiplied?: boolean;
  camera: Camera;
  head: FrameHeadParams;
}

/** A frame prepared for training: float RGB (straight or premultiplied), float mask, posed vertices. */
export interface PreparedFrame {
  camera: Camera;
  width: number;
  height: number;
  rgb: Float32Array; // H·W·3
  mask: Float32Array | null; // H·W
  premultiplied: boolean;
  vertices: Float32Array; // V·3, posed and rigidly transformed
}

/** Rigid pose as a row-major 3×3 rotation. */
export function rigidRotation(rotation: ArrayLike<number> | undefined): Float64Array {
  if (!rotation) return Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  if (rotation.length === 3) return rodrigues(rotation[0], rotation[1], rotation[2]);
  if (rotation.length === 9) return Float64Array.from(rotation);
  throw new RangeError(`rigid rotation must have 3 (axis-angle) or 9 (matrix) numbers, got ${rotation.length}`);
}

/** `model.evaluate(head)` followed by p = R·v + t. */
export function posedVertices(model: HeadModel, head: FrameHeadParams, out?: Float32Array): Float32Array {
  const v = model.evaluate(head, out);
  const R = rigidRotation(head.rotation);
  const t = head.translation ?? [0, 0, 0];
  for (let i = 0; i < v.length; i += 3) {
    const x = v[i], y = v[i + 1], z = v[i + 2];
    v[i] = R[0] * x + R[1] * y + R[2] * z + t[0];
    v[i + 1] = R[3] * x + R[4] * y + R[5] * z + t[1];
    v[i + 2] = R[6] * x + R[7] * y + R[8] * z + t[2];
  }
  return v;
}

export function prepareFrame(model: HeadModel, frame: AvatarFrame): PreparedFrame {
  const { width, height } = frame.camera;
  const n = width * height;
  const C = frame.channels ?? 4;
  if (frame.image.length !== n * C) throw new RangeError(`frame image has ${frame.image.length} values, expected ${width}×${height}×${C}`);
  const scale = frame.image instanceof Float32Array ? 1 : 1 / 255;
  const rgb = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = frame.image[p * C + c] * scale;
  if (frame.image instanceof Float32Array) {
    // A NaN/Inf pixel would make every step on this frame non-finite (and the NaN watch roll back forever).
    for (let i = 0; i < frame.image.length; i++) {
      if (!Number.isFinite(frame.image[i])) throw new RangeError(`frame image has a non-finite value at pixel ${Math.floor(i / C)} (channel ${i % C})`);
    }
    if (frame.mask instanceof Float32Array) for (let p = 0; p < frame.mask.length; p++) if (!Number.isFinite(frame.mask[p])) throw new RangeError(`frame mask has a non-finite value at pixel ${p}`);
  }
  let mask: Float32Array | null = null;
  if (frame.mask) {
    if (frame.mask.length !== n) throw new RangeError(`frame mask has ${frame.mask.length} values, expected ${n}`);
    const ms = frame.mask instanceof Float32Array ? 1 : 1 / 255;
    mask = Float32Array.from(frame.mask, (x) => Math.min(1, Math.max(0, x * ms)));
  } else if (C === 4) {
    mask = new Float32Array(n);
    for (let p = 0; p < n; p++) mask[p] = Math.min(1, Math.max(0, frame.image[p * 4 + 3] * scale));
  }
  return {
    camera: { ...frame.camera, viewMatrix: Float32Array.from(frame.camera.viewMatrix) },
    width,
    height,
    rgb,
    mask,
    premultiplied: frame.premultiplied ?? false,
    vertices: posedVertices(model, frame.head),
  };
}

/**
 * The target against background `bg`, RGBA (stride 4, alpha = mask): premultiplied → rgb + (1 − m)·bg, straight →
 * m·rgb + (1 − m)·bg; without a mask the image itself.
 */
export function compositeTarget(f: PreparedFrame, bg: readonly [number, number, number], out: Float32Array<ArrayBuffer> = new Float32Array(f.width * f.height * 4)): Float32Array<ArrayBuffer> {
  const n = f.width * f.height;
  for (let p = 0; p < n; p++) {
    const m = f.mask ? f.mask[p] : 1;
    const a = f.premultiplied ? 1 : m;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = a * f.rgb[p * 3 + c] + (1 - m) * bg[c];
    out[p * 4 + 3] = m;
  }
  return out;
}

/**
 * Renders avatar frames for the video export and driving jobs — a GPU session kind (native/engine/host/gpu-sessions.ts),
 * so it runs on a Node Dawn device or on Chromium's WebGPU in the desktop app — with the shared `AvatarRenderer`
 * (the viewport's too): posed vertices → deform → render, the colour read back as float RGBA and turned into 8-bit
 * RGBA here.
 *
 * The renderer composites `rgb = C + T·background, a = 1 − T` (C: the Gaussians' premultiplied colour, T: the
 * remaining transmittance). MP4 frames are rendered over the stage colour and kept opaque; PNG frames are rendered
 * over black, so rgb = C, and stored with straight alpha: rgb = C / a (what PNG readers and compositors expect).
 */
import type { BoundGaussianData } from '../binding/bound-gaussians';
import type { EngineDevice } from '../../gpu/engine-device';
import type { Camera } from '../../splat/camera';
import { AvatarRenderer } from './avatar-renderer';

/** The render session's constructor data (`new VideoFrameRenderer(engine, data, triangles, vertexCount)`). */
export interface RenderSessionInit {
  data: BoundGaussianData;
  triangles: Uint32Array;
  vertexCount: number;
}

export type FrameAlpha = { over: readonly [number, number, number] } | 'straight';

/** The `render` GPU session: its public methods are the session's allow-list (gpu-sessions.ts), so it stays this small. */
export class VideoFrameRenderer {
  private readonly avatar: AvatarRenderer;

  constructor(engine: EngineDevice, data: BoundGaussianData, triangles: Uint32Array, vertexCount: number) {
    this.avatar = new AvatarRenderer(engine, data, triangles, vertexCount, 'video');
  }

  /** One frame as 8-bit RGBA (rows top to bottom). */
  async render(vertices: Float32Array, camera: Camera, alpha: FrameAlpha): Promise<Uint8Array> {
    await this.avatar.render(vertices, camera, alpha === 'straight' ? [0, 0, 0] : alpha.over);
    const color = await this.avatar.readColor();
    this.avatar.throwGpuErrors('rendering a video frame');
    return alpha === 'straight' ? toStraightRgba8(color) : toOpaqueRgba8(color);
  }

  destroy(): void {
    this.avatar.destroy();
  }
}

const to8 = (x: number) => (x > 0 ? Math.floor(Math.min(x, 1) * 255 + 0.5) : 0);

/** Composited colour (already over the background) → opaque RGBA8. */
export function toOpaqueRgba8(color: Float32Array): Uint8Array {
  const n = color.length / 4;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = to8(color[i * 4]);
    out[i * 4 + 1] = to8(color[i * 4 + 1]);
    out[i * 4 + 2] = to8(color[i * 4 + 2]);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Premultiplied colour over black (rgb = C, a = 1 − T) → straight-alpha RGBA8 (rgb = C / a; 0 where a = 0). */
export function toStraightRgba8(color: Float32Array): Uint8Array {
  const n = color.length / 4;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const a = color[i * 4 + 3];
    const a8 = to8(a);
    out[i * 4 + 3] = a8;
    if (a8 === 0) continue;
    for (let k = 0; k < 3; k++) out[i * 4 + k] = to8(color[i * 4 + k] / a);
  }
  return out;
}

/**
 * Renders avatar frames for the video export and driving jobs — a GPU session kind (native/engine/host/gpu-sessions.ts),
 * so it runs on a Node Dawn device or on Chromium's WebGPU in the desktop app — with the same kernels as the viewport
 * and the trainer: posed vertices → `BindingMesh` → `BindingDeformer` → `GaussianScene` → `ForwardRenderer` → the colour
 * buffer read back as float RGBA, turned into 8-bit RGBA here.
 *
 * The renderer composites `rgb = C + T·background, a = 1 − T` (C: the Gaussians' premultiplied colour, T: the
 * remaining transmittance). MP4 frames are rendered over the stage colour and kept opaque; PNG frames are rendered
 * over black, so rgb = C, and stored with straight alpha: rgb = C / a (what PNG readers and compositors expect).
 */
import type { BoundGaussianData } from '../binding/bound-gaussians';
import { BoundGaussians } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import type { EngineDevice } from '../../gpu/engine-device';
import { readF32 } from '../../gpu/readback';
import type { Camera } from '../../splat/camera';
import { ForwardRenderer } from '../../splat/forward';
import { GaussianScene } from '../../splat/scene';

/** The render session's constructor data (`new VideoFrameRenderer(engine, data, triangles, vertexCount)`). */
export interface RenderSessionInit {
  data: BoundGaussianData;
  triangles: Uint32Array;
  vertexCount: number;
}

export type FrameAlpha = { over: readonly [number, number, number] } | 'straight';

export class VideoFrameRenderer {
  private readonly device: GPUDevice;
  private readonly bound: BoundGaussians;
  private readonly mesh: BindingMesh;
  private readonly scene: GaussianScene;
  private readonly deformer: BindingDeformer;
  private readonly renderer: ForwardRenderer;

  constructor(
    private readonly engine: EngineDevice,
    data: BoundGaussianData,
    triangles: Uint32Array,
    vertexCount: number,
  ) {
    this.device = engine.device;
    this.bound = BoundGaussians.fromData(this.device, data, { label: 'video.bound' });
    this.mesh = new BindingMesh(this.device, triangles, new Float32Array(vertexCount * 3), 'video.mesh');
    this.scene = GaussianScene.create(this.device, { capacity: Math.max(1, data.count), shDegree: data.shDegree, label: 'video.scene' });
    this.deformer = new BindingDeformer(this.device);
    this.renderer = new ForwardRenderer(this.device);
  }

  /** One frame as 8-bit RGBA (rows top to bottom). */
  async render(vertices: Float32Array, camera: Camera, alpha: FrameAlpha): Promise<Uint8Array> {
    this.mesh.setVertices(vertices);
    const enc = this.device.createCommandEncoder({ label: 'video.deform' });
    this.deformer.encodeForward(enc, this.bound, this.mesh, this.scene);
    this.device.queue.submit([enc.finish()]);
    const background = alpha === 'straight' ? ([0, 0, 0] as const) : alpha.over;
    const state = await this.renderer.render(this.scene, camera, { background });
    const color = await readF32(this.device, state.color, 0, camera.width * camera.height * 4);
    const errors = this.engine.takeErrors();
    if (errors.length) throw new Error(`GPU error while rendering a video frame: ${errors.join('; ')}`);
    return alpha === 'straight' ? toStraightRgba8(color) : toOpaqueRgba8(color);
  }

  destroy(): void {
    for (const x of [this.renderer, this.deformer, this.scene, this.mesh, this.bound]) x.destroy();
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

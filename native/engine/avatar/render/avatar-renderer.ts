/**
 * The one avatar renderer (platform-neutral: any `GPUDevice`, Node Dawn or the browser's WebGPU): a bound avatar's
 * Gaussians + the head mesh + the deformer + the world-space scene + the forward renderer, composed once for every
 * place that shows an avatar — the viewport's `AvatarEngine` (the studio's viewport, texture 3D view and Live page,
 * and the web player) and the video export / drive jobs' `VideoFrameRenderer` (the `render` GPU session).
 *
 * Per frame: posed vertices → `BindingMesh` → `BindingDeformer` (bound Gaussians → world Gaussians in a
 * `GaussianScene`) → `ForwardRenderer` (`rgb = C + T·background, a = 1 − T`), left on the GPU; then read back as
 * opaque RGBA8 packed on the GPU (`readRgba8`, the viewport's canvas) or as float RGBA (`readColor`, the video frames).
 */
import { BoundGaussians, type BoundGaussianData } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import type { EngineDevice } from '../../gpu/engine-device';
import { readF32 } from '../../gpu/readback';
import type { Camera } from '../../splat/camera';
import { ForwardRenderer } from '../../splat/forward';
import { GaussianScene } from '../../splat/scene';
import { Rgba8Packer } from './rgba8-pack';

export type Rgb = readonly [number, number, number];

export class AvatarRenderer {
  private readonly device: GPUDevice;
  private bound: BoundGaussians;
  private readonly mesh: BindingMesh;
  private readonly scene: GaussianScene;
  private readonly deformer: BindingDeformer;
  private readonly forward: ForwardRenderer;
  private packer: Rgba8Packer | null = null;
  /** The colour buffer of the last `render` and its pixel count (valid until the next `render`). */
  private last: { color: GPUBuffer; pixels: number } | null = null;

  /**
   * `label` prefixes the GPU objects' labels (validation messages name them). The scene starts at the avatar's size
   * and grows with `setGaussians` when the deformer next runs.
   */
  constructor(
    private readonly engine: EngineDevice,
    data: BoundGaussianData,
    triangles: Uint32Array,
    vertexCount: number,
    private readonly label = 'avatar',
  ) {
    this.device = engine.device;
    this.bound = BoundGaussians.fromData(this.device, data, { label: `${label}.bound` });
    this.mesh = new BindingMesh(this.device, triangles, new Float32Array(vertexCount * 3), `${label}.mesh`);
    this.scene = GaussianScene.create(this.device, { capacity: Math.max(1, data.count), shDegree: data.shDegree, label: `${label}.scene` });
    this.deformer = new BindingDeformer(this.device);
    this.forward = new ForwardRenderer(this.device);
  }

  /** Gaussians drawn. */
  get gaussians(): number {
    return this.bound.count;
  }

  /** The forward renderer's kernel variant (`rasterMode/scanSortMode`). */
  get kernels(): string {
    return `${this.forward.rasterMode}/${this.forward.scanSortMode}`;
  }

  /**
   * Replaces every Gaussian's SH coefficients (N×K×3, the avatar's layout), e.g. the texture editor's re-sampled
   * colours; renders from now on show them (a frame already submitted was encoded before this write).
   */
  setColours(sh: Float32Array): void {
    if (sh.length !== this.bound.count * this.bound.params.shCoeffs * 3) throw new RangeError(`setColours: ${sh.length} SH values for ${this.bound.count} Gaussians`);
    this.device.queue.writeBuffer(this.bound.params.sh, 0, sh.buffer, sh.byteOffset, sh.byteLength);
  }

  /**
   * Replaces the Gaussians (e.g. the texture editor's edited avatar, which adds Gaussians along an edit's edges);
   * renders from now on show them. The scene grows with them when the deformer next runs.
   */
  setGaussians(data: BoundGaussianData): void {
    const next = BoundGaussians.fromData(this.device, data, { label: `${this.label}.bound` });
    const old = this.bound;
    this.bound = next;
    // A frame in flight was encoded with the old buffers: destroy them once the queue has finished with it.
    void this.device.queue.onSubmittedWorkDone().then(() => old.destroy());
  }

  /** Poses the mesh with `vertices` (V×3, the head's world), deforms and renders over `background`; the result stays on the GPU. */
  async render(vertices: Float32Array, camera: Camera, background: Rgb): Promise<void> {
    this.mesh.setVertices(vertices);
    const enc = this.device.createCommandEncoder({ label: `${this.label}.deform` });
    this.deformer.encodeForward(enc, this.bound, this.mesh, this.scene);
    this.device.queue.submit([enc.finish()]);
    const state = await this.forward.render(this.scene, camera, { background });
    this.last = { color: state.color, pixels: camera.width * camera.height };
  }

  /** The last render as opaque RGBA8 (rows top to bottom; clamped, rounded half up on the GPU; `rgba8-pack.ts`). */
  async readRgba8(): Promise<Uint8ClampedArray<ArrayBuffer>> {
    const last = this.lastFrame();
    this.packer ??= new Rgba8Packer(this.device, this.label);
    return this.packer.pack(last.color, last.pixels);
  }

  /** The last render's colour as float RGBA (`rgb = C + T·background, a = 1 − T`, rows top to bottom). */
  async readColor(): Promise<Float32Array> {
    const last = this.lastFrame();
    return readF32(this.device, last.color, 0, last.pixels * 4);
  }

  /** Throws the device's uncaptured validation / out-of-memory errors since the last call, if any. */
  throwGpuErrors(doing?: string): void {
    const errors = this.engine.takeErrors();
    if (errors.length) throw new Error(`GPU error${doing ? ` while ${doing}` : ''}: ${errors.join('; ')}`);
  }

  /** Frees the renderer's GPU objects (not the device). */
  destroy(): void {
    this.last = null;
    for (const x of [this.forward, this.deformer, this.scene, this.mesh, this.bound, this.packer]) x?.destroy();
  }

  private lastFrame(): { color: GPUBuffer; pixels: number } {
    if (!this.last) throw new Error('AvatarRenderer: nothing rendered yet');
    return this.last;
  }
}

/**
 * The trained avatar on the browser's WebGPU, rendered by the project's engine: posed head vertices →
 * `BindingMesh` → `BindingDeformer` (bound Gaussians → world Gaussians) → `ForwardRenderer` → the colour buffer,
 * packed to RGBA8 and drawn on a 2D canvas (`present.ts` says why not a WebGPU canvas). Renders on request; requests made while a frame is in flight collapse
 * into one follow-up frame with the latest inputs.
 */
import { BoundGaussians, type BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '@engine/avatar/binding/deform';
import { wrapDevice, type AdapterReport, type EngineDevice } from '@engine/gpu/engine-device';
import { engineDeviceLimits } from '@engine/gpu/limits';
import type { Camera } from '@engine/splat/camera';
import { ForwardRenderer } from '@engine/splat/forward';
import { GaussianScene } from '@engine/splat/scene';
import { Rgba8Packer } from './present';

/** Background behind the avatar (sRGB, 0–1): the stage colour, so the avatar's edges blend into the page. */
export const VIEWPORT_BACKGROUND: [number, number, number] = [0.11, 0.115, 0.125];

export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

export interface FrameRequest {
  vertices: Float32Array;
  camera: Camera;
  /** Background colour (sRGB 0–1); VIEWPORT_BACKGROUND when absent (the Live page's clean view offers a key green). */
  background?: [number, number, number];
  /** Given back in the FrameInfo of the frame this request drew (the viewport tags the tracked frame it poses). */
  tag?: number;
}

export interface FrameInfo {
  /** Wall time of the frame: vertex upload, deform, render, pack + readback, drawing on the canvas. */
  ms: number;
  width: number;
  height: number;
  /** Frames rendered so far. */
  frames: number;
  /** The drawn request's tag, if it had one. */
  tag?: number;
}

/** A WebGPU device for the engine, or a WebGpuUnavailableError saying why there is none. */
export async function requestEngineDevice(): Promise<EngineDevice> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu)
    throw new WebGpuUnavailableError(
      'This window has no WebGPU (navigator.gpu is missing). Use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu on Linux), opened at the 127.0.0.1 address web mode printed.',
    );
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new WebGpuUnavailableError('WebGPU is present but offered no GPU adapter (blocked GPU or driver). The 3D viewport needs one.');
  const device = await adapter.requestDevice({ requiredLimits: engineDeviceLimits(adapter) });
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  return wrapDevice(device, {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    backend: 'browser',
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    via: 'external',
  });
}

export class AvatarEngine {
  readonly adapter: AdapterReport;
  private readonly device: GPUDevice;
  private readonly context: CanvasRenderingContext2D;
  private bound: BoundGaussians;
  private readonly mesh: BindingMesh;
  private readonly scene: GaussianScene;
  private readonly deformer: BindingDeformer;
  private readonly renderer: ForwardRenderer;
  private readonly packer: Rgba8Packer;
  private pending: FrameRequest | null = null;
  private running = false;
  private frames = 0;
  private destroyed = false;

  constructor(
    private readonly engine: EngineDevice,
    private readonly canvas: HTMLCanvasElement,
    data: BoundGaussianData,
    triangles: Uint32Array,
    vertexCount: number,
    private readonly onFrame: (info: FrameInfo) => void,
    private readonly onError: (message: string) => void,
  ) {
    this.device = engine.device;
    this.adapter = engine.adapter;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('The viewport canvas gave no 2D context.');
    this.context = context;
    this.bound = BoundGaussians.fromData(this.device, data, { label: 'viewport.bound' });
    this.mesh = new BindingMesh(this.device, triangles, new Float32Array(vertexCount * 3), 'viewport.mesh');
    this.scene = GaussianScene.create(this.device, { capacity: Math.max(1, data.count), shDegree: data.shDegree, label: 'viewport.scene' });
    this.deformer = new BindingDeformer(this.device);
    this.renderer = new ForwardRenderer(this.device);
    this.packer = new Rgba8Packer(this.device);
    engine.onLost((e) => {
      if (!this.destroyed) this.onError(`The GPU device was lost (${e.message}). Reopen the viewport to continue.`);
    });
  }

  get gaussians(): number {
    return this.bound.count;
  }

  get kernels(): string {
    return `${this.renderer.rasterMode}/${this.renderer.scanSortMode}`;
  }

  /**
   * Replaces every Gaussian's SH coefficients (N×K×3, the avatar's layout), e.g. the texture editor's re-sampled
   * colours; frames requested from now on show them (the frame in flight was submitted before this write).
   */
  setColours(sh: Float32Array): void {
    if (sh.length !== this.bound.count * this.bound.params.shCoeffs * 3) throw new RangeError(`setColours: ${sh.length} SH values for ${this.bound.count} Gaussians`);
    this.device.queue.writeBuffer(this.bound.params.sh, 0, sh.buffer, sh.byteOffset, sh.byteLength);
  }

  /**
   * Replaces the Gaussians (e.g. the texture editor's edited avatar, which adds Gaussians along an edit's edges);
   * frames requested from now on show them. The scene grows with them when the deformer next runs.
   */
  setGaussians(data: BoundGaussianData): void {
    const next = BoundGaussians.fromData(this.device, data, { label: 'viewport.bound' });
    const old = this.bound;
    this.bound = next;
    // The frame in flight was encoded with the old buffers: destroy them once the queue has finished with it.
    void this.device.queue.onSubmittedWorkDone().then(() => old.destroy());
  }

  /** Renders `req` now, or after the frame in flight (only the latest waiting request is kept). */
  request(req: FrameRequest): void {
    this.pending = req;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending && !this.destroyed) {
        const req = this.pending;
        this.pending = null;
        await this.renderNow(req);
      }
    } catch (err) {
      if (!this.destroyed) this.onError(err instanceof Error ? err.message : String(err));
    } finally {
      this.running = false;
    }
  }

  private async renderNow({ vertices, camera, background, tag }: FrameRequest): Promise<void> {
    const t0 = performance.now();
    const { width, height } = camera;
    this.mesh.setVertices(vertices);
    const enc = this.device.createCommandEncoder({ label: 'viewport.deform' });
    this.deformer.encodeForward(enc, this.bound, this.mesh, this.scene);
    this.device.queue.submit([enc.finish()]);
    const state = await this.renderer.render(this.scene, camera, { background: background ?? VIEWPORT_BACKGROUND });
    if (this.destroyed) return;
    const rgba = await this.packer.pack(state.color, width * height);
    if (this.destroyed) return;
    // Resized only now, so the previous frame stays up while this one renders.
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.putImageData(new ImageData(rgba, width, height), 0, 0);
    const errors = this.engine.takeErrors();
    if (errors.length) throw new Error(`GPU error: ${errors.join('; ')}`);
    this.frames++;
    this.onFrame({ ms: performance.now() - t0, width, height, frames: this.frames, ...(tag !== undefined && { tag }) });
  }

  destroy(): void {
    this.destroyed = true;
    for (const x of [this.renderer, this.deformer, this.scene, this.mesh, this.bound, this.packer]) x.destroy();
    this.engine.destroy();
  }
}

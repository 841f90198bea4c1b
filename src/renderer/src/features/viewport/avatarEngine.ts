/**
 * The trained avatar on the browser's WebGPU, rendered by the engine's shared `AvatarRenderer`
 * (`native/engine/avatar/render/avatar-renderer.ts`, the video export's too): posed head vertices → deform → render →
 * the colour packed to RGBA8 on the GPU and drawn on a 2D canvas (`rgba8-pack.ts` there says why not a WebGPU canvas).
 * Renders on request; requests made while a frame is in flight collapse into one follow-up frame with the latest inputs.
 */
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import { AvatarRenderer } from '@engine/avatar/render/avatar-renderer';
import { wrapDevice, type AdapterReport, type EngineDevice } from '@engine/gpu/engine-device';
import { engineDeviceLimits } from '@engine/gpu/limits';
import type { Camera } from '@engine/splat/camera';

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
  private readonly context: CanvasRenderingContext2D;
  private readonly avatar: AvatarRenderer;
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
    this.adapter = engine.adapter;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('The viewport canvas gave no 2D context.');
    this.context = context;
    this.avatar = new AvatarRenderer(engine, data, triangles, vertexCount, 'viewport');
    engine.onLost((e) => {
      if (!this.destroyed) this.onError(`The GPU device was lost (${e.message}). Reopen the viewport to continue.`);
    });
  }

  get gaussians(): number {
    return this.avatar.gaussians;
  }

  get kernels(): string {
    return this.avatar.kernels;
  }

  /**
   * Replaces every Gaussian's SH coefficients (N×K×3, the avatar's layout), e.g. the texture editor's re-sampled
   * colours; frames requested from now on show them (the frame in flight was submitted before this write).
   */
  setColours(sh: Float32Array): void {
    this.avatar.setColours(sh);
  }

  /**
   * Replaces the Gaussians (e.g. the texture editor's edited avatar, which adds Gaussians along an edit's edges);
   * frames requested from now on show them. The scene grows with them when the deformer next runs.
   */
  setGaussians(data: BoundGaussianData): void {
    this.avatar.setGaussians(data);
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
    await this.avatar.render(vertices, camera, background ?? VIEWPORT_BACKGROUND);
    if (this.destroyed) return;
    const rgba = await this.avatar.readRgba8();
    if (this.destroyed) return;
    // Resized only now, so the previous frame stays up while this one renders.
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.putImageData(new ImageData(rgba, width, height), 0, 0);
    this.avatar.throwGpuErrors();
    this.frames++;
    this.onFrame({ ms: performance.now() - t0, width, height, frames: this.frames, ...(tag !== undefined && { tag }) });
  }

  destroy(): void {
    this.destroyed = true;
    this.avatar.destroy();
    this.engine.destroy();
  }
}

/**
 * One driver frame → one rendered avatar frame, the path shared by the `avatar.drive` job and `bench/live` (and, with
 * the browser's own tracker and renderer, the live page): track the frame (the studio's tracker, onnxruntime-node),
 * `Reenactor.step` (native/engine/avatar/reenact: calibration, retarget, clamp, smoothing), pose the avatar's head
 * with the viewport's `HeadRig` (fitted shape, the run's correctives) plus the relative head pose, and render it with
 * the engine from the viewport's home view (the `render` GPU session, the video export's renderer, wherever the job's GPU work runs).
 */
import { applyDriverPose, avatarRest, faceCentroid, Reenactor, type AvatarExpressionSpace, type DriverCalibration, type DriverFrame, type ReenactorOptions, type ReenactStep } from '@engine/avatar/reenact';
import type { GpuJobs } from '@engine/host/gpu-jobs';
import type { GpuSession } from '@engine/host/gpu-sessions';
import type { Camera } from '@engine/splat/camera';
import { StudioError } from '@shared/api/errors';
import { HeadRig, homeView } from '@engine/avatar/head-rig';
import { STAGE_FOV } from '@engine/view/camera-math';
import { orbitCamera } from '@engine/view/orbit-camera';
import { riggedAvatar, type VideoInputs } from '../export/video-export';
import { VIDEO_BACKGROUND } from '../export/video-types';
import { Tracker } from '../tracking/tracker';
import type { RgbImage } from '@tracking/types';

export interface DriveTimings {
  trackMs: number;
  retargetMs: number;
  renderMs: number;
  totalMs: number;
}

export interface DriveFrameResult {
  /** The avatar, `size`² RGBA8 over the stage colour. */
  rgba: Uint8Array;
  step: ReenactStep;
  /** The driver's landmarks (478 × 3, detector frame) or null when no face was found. */
  landmarks: Float32Array | null;
  timings: DriveTimings;
}

export interface DrivePipelineOptions extends ReenactorOptions {
  /** Output size (square), pixels. */
  size: number;
  /** Tracker models folder (default: the studio's). */
  modelsDir?: string;
}

export class DrivePipeline {
  readonly rig: HeadRig;
  readonly reenactor: Reenactor;
  readonly camera: Camera;
  /** Centroid of the avatar's neutral face: the head turns about it (the driver's pose is measured about its own). */
  private readonly pivot: [number, number, number];
  private readonly posed: Float32Array;

  private constructor(
    private readonly tracker: Tracker,
    private readonly renderer: GpuSession<'render'>,
    rig: HeadRig,
    space: AvatarExpressionSpace,
    options: DrivePipelineOptions,
  ) {
    this.rig = rig;
    this.reenactor = new Reenactor(space, options);
    this.camera = driveCamera(rig, options.size);
    this.pivot = faceCentroid(rig.vertices(rig.neutral(), false));
    this.posed = new Float32Array(rig.model.vertexCount * 3);
  }

  /** `gpu`: where the avatar is rendered (the job's placement, `WorkerContext.gpu`). */
  static async create(inputs: VideoInputs, options: DrivePipelineOptions, gpu: GpuJobs): Promise<DrivePipeline> {
    const { data, rig } = riggedAvatar(inputs);
    const tracker = await Tracker.create({ modelsDir: options.modelsDir, mask: false, iris: true, smoothing: false });
    let renderer: GpuSession<'render'>;
    try {
      renderer = await gpu.open('render', { data, triangles: rig.model.triangles, vertexCount: rig.model.vertexCount });
    } catch (err) {
      await tracker.dispose();
      throw new StudioError('INTERNAL', `No WebGPU device to render the driven avatar: ${(err as Error).message}`);
    }
    // the avatar's rest expression (its footage's closed mouth), as the Live page drives it (reenact/avatar-rest.ts)
    const rest = options.avatarNeutral ?? avatarRest(inputs.space, inputs.fit ? { model: rig.model, frames: inputs.fit.frames } : null) ?? undefined;
    return new DrivePipeline(tracker, renderer, rig, inputs.space, { ...options, avatarNeutral: rest });
  }

  /** Tracks one frame (the tracker follows the face from frame to frame; `reset` makes it detect afresh). */
  async track(image: RgbImage, index: number, time: number): Promise<DriverFrame | null> {
    const t = await this.tracker.track(image, index, time);
    return t.tracked && t.landmarks ? { landmarks: t.landmarks } : null;
  }

  resetTracking(): void {
    this.tracker.reset();
  }

  setCalibration(c: DriverCalibration | null): void {
    this.reenactor.setCalibration(c);
  }

  /** The posed head's vertices for a step's parameters (relative head pose about the face centroid). */
  vertices(step: ReenactStep, followPose: boolean): Float32Array {
    const p = step.params;
    const v = this.rig.vertices({ expression: Array.from(p.expression), jaw: p.jaw, eyes: Array.from(p.eyes), pose: null }, false, this.posed);
    return followPose ? applyDriverPose(v, p.rotation, p.translation, this.pivot) : v;
  }

  async render(step: ReenactStep, followPose: boolean): Promise<Uint8Array> {
    return this.renderer.render(this.vertices(step, followPose), this.camera, { over: VIDEO_BACKGROUND });
  }

  /** Track → retarget → render one frame, timing each stage. */
  async step(image: RgbImage, index: number, time: number): Promise<DriveFrameResult> {
    const t0 = performance.now();
    const frame = await this.track(image, index, time);
    const t1 = performance.now();
    const step = this.reenactor.step(frame, time);
    const t2 = performance.now();
    const rgba = await this.render(step, this.options.followPose !== false);
    const t3 = performance.now();
    return { rgba, step, landmarks: frame ? (frame.landmarks as Float32Array) : null, timings: { trackMs: t1 - t0, retargetMs: t2 - t1, renderMs: t3 - t2, totalMs: t3 - t0 } };
  }

  private get options(): ReenactorOptions {
    return this.reenactor.currentOptions;
  }

  async destroy(): Promise<void> {
    await this.renderer.close();
    await this.tracker.dispose();
  }
}

/** The camera a driven avatar is rendered from: the viewport's home view, looking at the face, `size`² pixels. */
export function driveCamera(rig: HeadRig, size: number): Camera {
  const home = homeView(rig, STAGE_FOV);
  return orbitCamera({ target: home.target, distance: home.distance, yaw: 0, pitch: 0 }, STAGE_FOV, size, size);
}

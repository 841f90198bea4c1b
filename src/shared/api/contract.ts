import { z } from 'zod';
import { Capture, CaptureId, Frame, FrameRange, FrameSplit, ImportOptions, ImportSource } from '../model/capture';
import { Job, JobId } from '../model/job';
import { TrackedFrame, TrackingOverlay, TrackingSummary } from '../model/tracking';
import { Project, ProjectId, ProjectName } from '../model/project';
import { Avatar, TrainingEstimate, TrainingOverrides, TrainingPreset, TrainingReport } from '../model/avatar';
import { AvatarWithFiles } from '../model/avatar-files';
import { TextureDocumentInfo, TexturesExportParams, TexturesExportResult, TexturesImportParams, TexturesImportResult, TexturesSaveParams, TexturesSaveResult } from '../texture/api';
import { BakeMapSize, BakeSummary } from '../model/bake';
import { ExportFormat, ExportRecord, VideoExportSettings } from '../model/export';
import { LiveModelName, LiveModelResult, LiveTrackParams, LiveTrackResult } from '../model/live';
import { AppInfo, FlameCheck, FlameSettings, HeadModelKind, LibraryInfo, Settings, Theme } from '../model/settings';

/**
 * The StudioApi: every call the renderer (or any front door) can make, with its parameter and result schemas.
 * Parameters are validated by the services host before a handler runs; results are validated in tests and dev.
 * Names are `<capability>.<verb>`; a capability added later adds its entries here and its handlers in
 * src/main/services/<capability>.
 */
const none = z.strictObject({});

/** The GPU adapter the engine runs on (native/engine/gpu/engine-device.ts AdapterReport). */
export const GpuAdapter = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  backend: z.string(),
  isFallbackAdapter: z.boolean(),
  featureLevel: z.enum(['core', 'compatibility']),
  via: z.string(),
  /** Why this adapter was chosen (absent from older engine hosts). */
  reason: z.string().default(''),
});
/** `app.gpu`: which engine host runs the engine and on which adapter, or why there is none. */
export const GpuInfo = z.object({
  host: z.enum(['node', 'chromium']).nullable(),
  adapter: GpuAdapter.nullable(),
  /** Kernel variants picked for the adapter, e.g. 'rows/serial' on a CPU adapter. */
  kernels: z.string().nullable(),
  /** Why no adapter is available (no GPU, no WebGPU, the engine process failed); null when `adapter` is set. */
  error: z.string().nullable(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

export const methods = {
  'app.info': { params: none, result: AppInfo },
  /** Starts the engine host if needed (first call can take seconds) and reports the GPU adapter in use. */
  'app.gpu': { params: none, result: GpuInfo },

  'library.info': { params: none, result: LibraryInfo },
  /** Switch to another library folder (created if missing when `create`); remembered for the next start. */
  'library.open': { params: z.strictObject({ path: z.string().min(1), create: z.boolean().default(true) }), result: LibraryInfo },

  'settings.get': { params: none, result: Settings },
  /** Saves settings; a FLAME path is loaded and checked first (the errors of `settings.checkFlame`), null clears it. */
  'settings.update': { params: z.strictObject({ theme: Theme.optional(), flame: FlameSettings.strict().optional() }), result: Settings },
  /**
   * Loads a FLAME model file (.pkl / .npz) and optional landmark embedding in the host and reports what it holds.
   * NOT_FOUND for a missing file, BAD_REQUEST (with the reason) for a truncated or wrong file.
   */
  'settings.checkFlame': { params: z.strictObject({ modelPath: z.string().min(1), embeddingPath: z.string().min(1).nullable().optional() }), result: FlameCheck },

  'projects.list': {
    params: z.strictObject({
      query: z.string().max(200).optional(),
      /** false (default): live projects; true: the trash. */
      trashed: z.boolean().default(false),
    }),
    result: z.array(Project),
  },
  'projects.get': { params: z.strictObject({ id: ProjectId }), result: Project },
  'projects.create': { params: z.strictObject({ name: ProjectName }), result: Project },
  'projects.rename': { params: z.strictObject({ id: ProjectId, name: ProjectName }), result: Project },
  /** Copies a project with all its files as a job; the job's result is `{ projectId }`. */
  'projects.duplicate': { params: z.strictObject({ id: ProjectId, name: ProjectName.optional() }), result: Job },
  /** Moves a project and its folder to the library's trash. */
  'projects.trash': { params: z.strictObject({ id: ProjectId }), result: Project },
  'projects.restore': { params: z.strictObject({ id: ProjectId }), result: Project },
  /** Deletes every project in the trash for good, as a job. */
  'projects.emptyTrash': { params: none, result: Job },

  'captures.list': { params: z.strictObject({ projectId: ProjectId }), result: z.array(Capture) },
  'captures.get': { params: z.strictObject({ id: CaptureId }), result: Capture },
  /**
   * Imports footage as a job: one video, a folder of images, one photo, or (`multiview`) several synchronised
   * videos as one capture with a camera each, optionally with a calibration file. The job's result is
   * `{ captureId, frames }`.
   */
  'captures.import': {
    params: z.strictObject({
      projectId: ProjectId,
      sources: z.array(ImportSource).min(1).max(64),
      name: z.string().trim().min(1).max(120).optional(),
      multiview: z.boolean().default(false),
      calibration: ImportSource.optional(),
      options: ImportOptions.default({ longSide: 1024, allowDuplicate: false }),
    }),
    result: Job,
  },
  'captures.rename': { params: z.strictObject({ id: CaptureId, name: z.string().trim().min(1).max(120) }), result: Capture },
  /** Deletes a capture with its frames and files. */
  'captures.delete': { params: z.strictObject({ id: CaptureId }), result: z.strictObject({ id: CaptureId }) },
  /** Frames of a capture in time order (all cameras unless one is named), paged. */
  'captures.frames': {
    params: z.strictObject({ captureId: CaptureId, cameraId: z.string().optional(), offset: z.number().int().nonnegative().default(0), limit: z.number().int().min(1).max(20000).default(5000) }),
    result: z.object({ total: z.number().int(), frames: z.array(Frame) }),
  },
  /** Marks frame ranges (frame indices, inclusive, all cameras) as train, test or excluded. Returns the new counts. */
  'captures.setSplit': {
    params: z.strictObject({ captureId: CaptureId, ranges: z.array(FrameRange).min(1).max(10000), split: FrameSplit }),
    result: Capture,
  },
  /** The default split: the last `testFraction` of the non-excluded frames in time become test, the rest train. */
  'captures.proposeSplit': { params: z.strictObject({ captureId: CaptureId, testFraction: z.number().min(0).max(0.9).default(0.2) }), result: Capture },
  /** Excludes frames whose sharpness is below `relativeThreshold` × the capture's median sharpness. */
  'captures.excludeBlurry': {
    params: z.strictObject({ captureId: CaptureId, relativeThreshold: z.number().min(0).max(1).default(0.35) }),
    result: z.object({ capture: Capture, excluded: z.array(z.number().int()) }),
  },

  /**
   * Tracks a capture as a job: face detection, 478 landmarks, iris and a person mask per frame, then fits the
   * open head (pose, expression, jaw, eyes per frame; shape and intrinsics per capture). Replaces earlier tracking.
   */
  'tracking.start': {
    params: z.strictObject({
      captureId: CaptureId,
      mask: z.boolean().default(true),
      fit: z.boolean().default(true),
      /** Follow the face under this point (stored-frame pixels) instead of the largest one. */
      pick: z.strictObject({ x: z.number(), y: z.number() }).optional(),
      /** The head model to fit: the built-in open head, or FLAME from the files set in settings (refused when unset). */
      headModel: HeadModelKind.default('open-head'),
      /** After the fit, refine each frame's head pose photometrically through the GPU engine (slow on a CPU adapter: ≈ 10 s a frame). */
      photometricRefine: z.boolean().default(false),
    }),
    result: Job,
  },
  'tracking.summary': { params: z.strictObject({ captureId: CaptureId }), result: TrackingSummary.nullable() },
  'tracking.frames': {
    params: z.strictObject({ captureId: CaptureId, cameraId: z.string().optional(), offset: z.number().int().nonnegative().default(0), limit: z.number().int().min(1).max(20000).default(5000) }),
    result: z.object({ total: z.number().int(), frames: z.array(TrackedFrame) }),
  },
  /** `triangles: false` leaves out the mesh's triangle list (it is the same for every frame of a capture). */
  'tracking.overlay': {
    params: z.strictObject({ captureId: CaptureId, cameraId: z.string(), idx: z.number().int().nonnegative(), triangles: z.boolean().default(true) }),
    result: TrackingOverlay,
  },
  /** Excludes frames (all views) that are untracked or whose fit error is above `maxFitErrorPx`. */
  'tracking.excludeBadlyTracked': {
    params: z.strictObject({ captureId: CaptureId, maxFitErrorPx: z.number().positive().default(4) }),
    result: z.object({ capture: Capture, excluded: z.array(z.number().int()) }),
  },

  /**
   * Trains a Gaussian head avatar on the capture's tracked train frames (refused until the capture is tracked with a
   * head-model fit), evaluating on its test frames (or every frame of `overrides.holdOutCamera`). `overrides` change
   * any of the preset's hyper-parameters (TrainingConfig in shared/model/avatar.ts).
   */
  'training.start': {
    params: z.strictObject({
      captureId: CaptureId,
      preset: TrainingPreset.default('preview'),
      overrides: TrainingOverrides.strict().optional(),
    }),
    result: Job,
  },
  /**
   * How long `training.start` with this preset and overrides would take on this machine, before starting it: from
   * this library's earlier runs of the same size, else (CPU adapter) the bench's CPU measurement scaled by cores.
   */
  'training.estimate': {
    params: z.strictObject({ preset: TrainingPreset.default('preview'), overrides: TrainingOverrides.strict().optional() }),
    result: TrainingEstimate,
  },
  /** Per test frame PSNR / SSIM of an avatar's training run, and their means. */
  'training.report': { params: z.strictObject({ avatarId: z.string() }), result: TrainingReport },
  'avatars.list': { params: z.strictObject({ projectId: ProjectId }), result: z.array(Avatar) },
  /** One avatar with the project-relative paths of avatar.bin, meta.json, its head (expression space) and tracked motion (fit.json per camera). */
  'avatars.get': { params: z.strictObject({ id: z.string() }), result: AvatarWithFiles },
  /**
   * Imports an avatar bundle (`.avatar`, docs/avatar-bundle.md; a path on the studio's machine or a web-mode upload)
   * as a new avatar of the project, bit-exactly. Damaged files and unknown bundle versions are refused with the reason.
   */
  'avatars.import': {
    params: z
      .strictObject({ projectId: ProjectId, path: z.string().min(1).optional(), uploadId: z.string().regex(/^[0-9a-f]{32}$/).optional(), name: z.string().trim().min(1).max(120).optional() })
      .refine((p) => (p.path === undefined) !== (p.uploadId === undefined), { message: 'Give the bundle as a path or an uploadId (one of them).' }),
    result: Avatar,
  },
  /**
   * Bakes a trained avatar into UV texture maps (a job, `avatar.bake`): colour, opacity, scale, rotation and offset
   * maps fitted through the renderer, a visibility map, the baked avatar and a report with held-out PSNR/SSIM before
   * and after (services/bake/README.md). Refused while the avatar trains or is already being baked.
   */
  'bake.start': {
    params: z.strictObject({
      avatarId: z.string(),
      mapSize: BakeMapSize.optional(),
      steps: z.number().int().min(0).max(20_000).optional(),
      levels: z.number().int().min(1).max(6).optional(),
    }),
    result: Job,
  },
  /** The avatar's last finished bake: its report.json (NOT_FOUND before the first bake). */
  'bake.report': { params: z.strictObject({ avatarId: z.string() }), result: BakeSummary },
  /**
   * The texture editor's document of an avatar (services/texture/README.md): the bake's base maps (null without a
   * bake), the layers bottom first with their PNG paths, the save revision, and why edits are refused now (training
   * or baking), if they are.
   */
  'textures.load': { params: z.strictObject({ avatarId: z.string() }), result: TextureDocumentInfo },
  /** Saves the layer list (rows) and the PNGs of changed layers (inline base64, or a web upload id for big ones). */
  'textures.save': { params: TexturesSaveParams, result: TexturesSaveResult },
  /** A colour map edited elsewhere (PNG/JPEG, the map's size) → a staged image layer; wrong size or channels → BAD_REQUEST. */
  'textures.importMap': { params: TexturesImportParams, result: TexturesImportResult },
  /** A PNG/JPEG/SVG sticker → a staged sticker layer (huge ones scaled down to the map, with a note). */
  'textures.importSticker': { params: TexturesImportParams, result: TexturesImportResult },
  /** Writes one map as PNG (baked colour, colour with layers, opacity, visibility) into exports/textures/ or `path`. */
  'textures.exportMap': { params: TexturesExportParams, result: TexturesExportResult },
  /**
   * Applies the avatar's saved texture layers (a job, `texture.apply`): the baked avatar re-sampled under the
   * composited colour map (Gaussians added where the edit is sparse) becomes a NEW avatar version with its own folder;
   * the edited version is kept. Refused while the avatar trains or bakes, or before it has a bake and saved layers.
   */
  'textures.apply': { params: z.strictObject({ avatarId: z.string() }), result: Job },
  /**
   * Exports the avatar in one of the formats of the registry (`src/shared/model/export-formats.ts`; a job,
   * `avatar.export`): static splats posed at a tracked `frame`, at `expression` coefficients or neutral, a rendered
   * video, the bundle, the player, maps or a mesh sequence; into the project's exports/ folder or the absolute `path`.
   * Recorded in the library. See services/export/README.md.
   */
  'exports.create': {
    params: z.strictObject({
      avatarId: z.string(),
      format: ExportFormat,
      frame: z.number().int().nonnegative().optional(),
      expression: z.array(z.number().finite()).max(1000).optional(),
      path: z.string().min(1).optional(),
      /** `mp4` / `png-sequence`: sequence, size, fps, quality (services/export/README.md). */
      video: VideoExportSettings.optional(),
      /** `mesh-obj` / `mesh-gltf`: every n-th tracked frame (default 1: all). */
      frameStep: z.number().int().min(1).max(1000).optional(),
    }),
    result: Job,
  },
  /** Repeats an export with its recorded settings (same format, pose and file). */
  'exports.repeat': { params: z.strictObject({ id: z.string() }), result: Job },
  'exports.list': { params: z.strictObject({ projectId: ProjectId }), result: z.array(ExportRecord) },
  /**
   * Drives the avatar with a driving video (absolute path) or another capture of the library (cross-reenactment) and
   * renders it to MP4 (a job, `avatar.drive`): calibrated on the driver's neutral window, retargeted into the avatar's
   * expression space and clamped to its range, optionally side by side with the driver. Recorded as an `mp4` export.
   * See services/drive/README.md.
   */
  'drive.start': {
    params: z
      .strictObject({
        avatarId: z.string(),
        video: z.string().min(1).optional(),
        /** A recording sent with `live.upload` (or a web-mode upload) instead of a path: the Live page's Record. */
        uploadId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
        captureId: z.string().optional(),
        path: z.string().min(1).optional(),
        size: z.number().int().min(16).max(2048).optional(),
        sideBySide: z.boolean().optional(),
        intensity: z.number().min(0).max(3).optional(),
        smoothing: z.number().min(0).max(1).optional(),
        followPose: z.boolean().optional(),
        mirror: z.boolean().optional(),
        neutralFrame: z.number().int().min(0).optional(),
        calibrationFrames: z.number().int().min(1).max(300).optional(),
        crf: z.number().int().min(0).max(51).optional(),
        maxFrames: z.number().int().min(1).optional(),
      })
      .refine((p) => [p.video, p.uploadId, p.captureId].filter((v) => v !== undefined).length === 1, { message: 'Give the driver as a video, an uploadId or a captureId (one of them).' }),
    result: Job,
  },

  /** Tracks one JPEG camera frame of a Live page session in the services host (landmarks back); see model/live.ts. */
  'live.track': { params: LiveTrackParams, result: LiveTrackResult },
  /**
   * A Live page recording to the host in order, base64 chunks ≤ 700 kB (the first without uploadId, index 0); the last
   * (`done`) joins them into an upload that `drive.start { uploadId }` renders.
   */
  'live.upload': {
    params: z.strictObject({ uploadId: z.string().regex(/^[0-9a-f]{32}$/).optional(), name: z.string().min(1).max(200), index: z.number().int().min(0), chunk: z.string().max(1_000_000), done: z.boolean() }),
    result: z.strictObject({ uploadId: z.string(), size: z.number(), done: z.boolean() }),
  },
  /** One face tracking model (ONNX, base64, ≤ 3 MB) for the Live page's in-page tracking path (onnxruntime-web). */
  'live.model': { params: z.strictObject({ name: LiveModelName }), result: LiveModelResult },
  /** Ends a Live page session (releases its tracker). */
  'live.close': { params: z.strictObject({ session: z.string().min(8).max(64) }), result: z.strictObject({ closed: z.boolean() }) },

  'jobs.list': {
    params: z.strictObject({ projectId: ProjectId.optional(), includeFinished: z.boolean().default(true) }),
    result: z.array(Job),
  },
  'jobs.get': { params: z.strictObject({ id: JobId }), result: Job },
  'jobs.cancel': { params: z.strictObject({ id: JobId }), result: Job },
  'jobs.resume': { params: z.strictObject({ id: JobId }), result: Job },
  /** Stops a running job at a checkpoint, keeping its partial output (kinds in PAUSABLE_JOB_KINDS); resume continues. */
  'jobs.pause': { params: z.strictObject({ id: JobId }), result: Job },
  /** Removes a finished job from the list (its results stay). */
  'jobs.dismiss': { params: z.strictObject({ id: JobId }), result: z.strictObject({ id: JobId }) },
} as const;

/** Events pushed from the services host to every connected front door. */
export const events = {
  'job.updated': Job,
  'projects.changed': z.object({ ids: z.array(z.string()) }),
  'captures.changed': z.object({ projectId: z.string(), captureIds: z.array(z.string()) }),
  'library.changed': LibraryInfo,
  'settings.changed': Settings,
} as const;

export type MethodName = keyof typeof methods;
export type EventName = keyof typeof events;
export type MethodParamsInput<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type MethodParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<(typeof methods)[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Parameters are optional at the call site when every field has a default or is optional. */
export type CallArgs<M extends MethodName> = {} extends MethodParamsInput<M> ? [params?: MethodParamsInput<M>] : [params: MethodParamsInput<M>];

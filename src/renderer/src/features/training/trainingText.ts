import { TRAINING_PRESETS, TrainingConfig, type TrainingEstimate, type TrainingOverrides, type TrainingPreset } from '@shared/model/avatar';

export const PRESET_LABEL: Record<TrainingPreset, string> = { preview: 'Preview', standard: 'Standard', high: 'High' };
export const PRESET_ORDER: TrainingPreset[] = ['preview', 'standard', 'high'];

/** "128 px · 64² UV · 1,500 steps" */
export function presetSummary(preset: TrainingPreset): string {
  const c = TRAINING_PRESETS[preset];
  return `${c.imageLongSide} px · ${c.uvResolution}² UV · ${c.steps.toLocaleString()} steps`;
}

export const PRESET_NOTE: Record<TrainingPreset, string> = {
  preview: 'A quick look, low detail.',
  standard: 'The everyday avatar: twice the resolution, four times the steps, scored after fitting the test frames.',
  high: 'Full detail for final use: made for a GPU.',
};

/** "About 4 min here (from 3 earlier runs)"; null when nothing measured says. */
export function estimateText(e: TrainingEstimate | null | undefined): string | null {
  if (!e || e.seconds === null) return null;
  const min = Math.max(1, Math.round(e.seconds / 60));
  const time = min < 60 ? `${min} min` : min % 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min / 60} h`;
  const from = e.basis === 'earlier-runs' ? `from ${e.runs === 1 ? 'an earlier run' : `${e.runs} earlier runs`} here` : 'CPU estimate from measured runs';
  return `About ${time} (${from})`;
}

type NumberKey = { [K in keyof TrainingConfig]: TrainingConfig[K] extends number ? K : never }[keyof TrainingConfig];

export interface OverrideField {
  key: NumberKey;
  label: string;
  hint: string;
  group: 'Size' | 'Learning rates' | 'Loss and schedule' | 'Run';
  step: number;
  integer: boolean;
}

/** Every numeric hyper-parameter of TrainingConfig, as the advanced panel shows it. */
export const OVERRIDE_FIELDS: OverrideField[] = [
  { key: 'steps', label: 'Steps', hint: 'Training iterations', group: 'Size', step: 100, integer: true },
  { key: 'imageLongSide', label: 'Image size (px)', hint: 'Side of the head crop (long side of whole frames)', group: 'Size', step: 16, integer: true },
  { key: 'uvResolution', label: 'UV resolution', hint: 'N×N texels → initial Gaussians', group: 'Size', step: 16, integer: true },
  { key: 'shDegree', label: 'SH degree', hint: '0: flat colour … 3: view-dependent', group: 'Size', step: 1, integer: true },
  { key: 'lrColor', label: 'Colour', hint: 'Learning rate of the colour (SH)', group: 'Learning rates', step: 0.001, integer: false },
  { key: 'lrOpacity', label: 'Opacity', hint: 'Learning rate of the opacity', group: 'Learning rates', step: 0.01, integer: false },
  { key: 'lrScale', label: 'Scale', hint: 'Learning rate of the log-scales', group: 'Learning rates', step: 0.001, integer: false },
  { key: 'lrRotation', label: 'Rotation', hint: 'Learning rate of the rotations', group: 'Learning rates', step: 0.001, integer: false },
  { key: 'lrOffset', label: 'Offset (m/step)', hint: 'Normal offset from the surface', group: 'Learning rates', step: 0.00001, integer: false },
  { key: 'dssimWeight', label: 'D-SSIM weight', hint: 'λ in L1 + λ·D-SSIM', group: 'Loss and schedule', step: 0.05, integer: false },
  { key: 'densifyFrom', label: 'Densify from', hint: 'Fraction of the steps', group: 'Loss and schedule', step: 0.05, integer: false },
  { key: 'densifyUntil', label: 'Densify until', hint: 'Fraction of the steps', group: 'Loss and schedule', step: 0.05, integer: false },
  { key: 'densifyInterval', label: 'Densify every', hint: 'Steps (0: a fifth of the steps)', group: 'Loss and schedule', step: 100, integer: true },
  { key: 'densifyBudget', label: 'Gaussian budget', hint: '× the initial count (1: no growth)', group: 'Loss and schedule', step: 0.1, integer: false },
  { key: 'pruneInterval', label: 'Prune every', hint: 'Steps (0: 45 % of the steps)', group: 'Loss and schedule', step: 100, integer: true },
  { key: 'mouthWeight', label: 'Mouth weight', hint: 'Loss × this in the mouth region (1: off)', group: 'Loss and schedule', step: 0.5, integer: false },
  { key: 'pruneOpacity', label: 'Prune below opacity', hint: 'Gaussians fainter than this go', group: 'Loss and schedule', step: 0.001, integer: false },
  { key: 'testTimeFit', label: 'Test-time fit passes', hint: 'Fit held-out frames’ pose and expression before scoring (0: off)', group: 'Run', step: 5, integer: true },
  { key: 'seed', label: 'Seed', hint: 'Frame order, backgrounds, densify draws', group: 'Run', step: 1, integer: true },
  { key: 'checkpointMinutes', label: 'Checkpoint every (min)', hint: 'Also every tenth of the steps and on pause', group: 'Run', step: 1, integer: false },
  { key: 'previewSeconds', label: 'Preview every (s)', hint: 'Live preview and validation PSNR', group: 'Run', step: 1, integer: false },
];

export const BACKGROUND_LABEL: Record<TrainingConfig['background'], string> = { random: 'Random colour per step', black: 'Black', white: 'White' };

/** Text inputs of the advanced panel: empty means "the preset's value". */
export interface AdvancedForm {
  values: Partial<Record<NumberKey, string>>;
  background: TrainingConfig['background'] | '';
  /** '' = the preset's choice. */
  headTuning: '' | 'on' | 'off';
  /** '' = the preset's choice; 'head': frames cropped around the head, 'whole': whole frames. */
  frameSubject: '' | 'head' | 'whole';
  holdOutCamera: string;
}

export const EMPTY_FORM: AdvancedForm = { values: {}, background: '', headTuning: '', frameSubject: '', holdOutCamera: '' };

/**
 * The overrides the form asks for, or per field what is wrong (the shared TrainingConfig ranges, so the panel refuses
 * what the studio would refuse).
 */
export function formToOverrides(form: AdvancedForm): { overrides: TrainingOverrides; errors: Partial<Record<NumberKey, string>> } {
  const overrides: Record<string, unknown> = {};
  const errors: Partial<Record<NumberKey, string>> = {};
  for (const f of OVERRIDE_FIELDS) {
    const raw = form.values[f.key]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      errors[f.key] = 'Not a number';
      continue;
    }
    const parsed = TrainingConfig.shape[f.key].safeParse(n);
    if (!parsed.success) {
      errors[f.key] = rangeText(f.key) ?? (f.integer ? 'Must be a whole number in range' : 'Out of range');
      continue;
    }
    overrides[f.key] = parsed.data;
  }
  if (form.background) overrides.background = form.background;
  if (form.headTuning) overrides.headTuning = form.headTuning === 'on';
  if (form.frameSubject) overrides.frameSubject = form.frameSubject === 'head';
  if (form.holdOutCamera) overrides.holdOutCamera = form.holdOutCamera;
  return { overrides: overrides as TrainingOverrides, errors };
}

/** "1 to 1,000,000" from the schema's bounds. */
export function rangeText(key: NumberKey): string | null {
  type Bounded = { minValue?: number | null; maxValue?: number | null; unwrap?: () => unknown };
  // A field with a default (or optional) wraps the number schema that holds the bounds.
  let s = TrainingConfig.shape[key] as unknown as Bounded;
  for (let depth = 0; s.minValue === undefined && typeof s.unwrap === 'function' && depth < 4; depth++) s = s.unwrap() as Bounded;
  const lo = s.minValue, hi = s.maxValue;
  if (lo == null || hi == null || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const whole = OVERRIDE_FIELDS.find((f) => f.key === key)?.integer;
  return `${whole ? 'A whole number from' : 'From'} ${lo.toLocaleString()} to ${hi.toLocaleString()}`;
}

/** A number in the preset as the placeholder shows it (no float noise). */
export function formatDefault(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(+v.toPrecision(3));
}

export const formatDb = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(1)} dB`);
export const formatSsim = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(3));
export const formatLoss = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '—' : v < 0.001 ? v.toExponential(2) : v.toFixed(4));
export const formatPerStep = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '—' : v < 1 ? `${Math.round(v * 1000)} ms/step` : `${v.toFixed(1)} s/step`);

/** "12 min 5 s", "3.2 s" */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { TRAINING_PRESETS, TrainingOverrides, TrainingPreset } from '@shared/model/avatar';

type OverrideKey = keyof TrainingOverrides;

/** Flag names kept short where the CLI had them before every hyper-parameter became overridable. */
const FLAG_NAMES: Partial<Record<OverrideKey, string>> = { steps: 'steps', uvResolution: 'uv', imageLongSide: 'long-side' };

const HELP: Partial<Record<OverrideKey, string>> = {
  steps: 'training steps',
  uvResolution: 'UV texels per side of the initial layout (N² Gaussians on the head)',
  imageLongSide: 'training image long side in pixels',
  lrColor: 'learning rate of the colour (SH) coefficients',
  lrOpacity: 'learning rate of the opacities',
  lrScale: 'learning rate of the log-scales',
  lrRotation: 'learning rate of the rotations',
  lrOffset: 'learning rate of the normal offsets (metres per step)',
  dssimWeight: 'D-SSIM weight λ of the loss (1 − λ)·L1 + λ·D-SSIM',
  densifyFrom: 'densification starts at this fraction of the steps',
  densifyUntil: 'densification ends at this fraction of the steps',
  densifyInterval: 'steps between densifications (0: a fifth of the steps)',
  densifyBudget: 'densification stops at this multiple of the initial Gaussian count (1: no growth)',
  pruneInterval: 'steps between prune passes (0: 45 % of the steps)',
  pruneOpacity: 'Gaussians below this opacity are pruned',
  shDegree: 'spherical-harmonics degree of the colour (0–3)',
  mouthWeight: 'loss weight multiplier inside the mouth region (1: off)',
  headTuning: 'fine-tune tracked head parameters per frame and learn corrective blend shapes (true|false)',
  frameSubject: 'train on square frames cropped around the tracked head instead of whole frames (true|false)',
  testTimeFit: 'passes of test-time fitting of held-out frames (head pose, expression, jaw; avatar frozen) before evaluation (0: off)',
  background: 'background behind the avatar during training',
  seed: 'random seed',
  checkpointMinutes: 'minutes between time-based checkpoints',
  previewSeconds: 'seconds between live previews and validation PSNR',
  holdOutCamera: 'multi-view: evaluate on this camera (id or name), train on the others',
};

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Each overridable hyper-parameter of `training.start`, as the contract defines it (new ones appear here by themselves). */
function overrideFields(): { key: OverrideKey; flag: string; schema: z.ZodType }[] {
  return Object.entries(TrainingOverrides.shape).map(([key, schema]) => ({ key: key as OverrideKey, flag: FLAG_NAMES[key as OverrideKey] ?? kebab(key), schema: schema as z.ZodType }));
}

function kindOf(schema: z.ZodType): 'number' | 'boolean' | 'enum' | 'string' {
  let s = schema as z.ZodType & { unwrap?: () => z.ZodType; type?: string };
  while (s.type === 'optional' || s.type === 'nullable' || s.type === 'default') s = s.unwrap!() as typeof s;
  return s.type === 'number' ? 'number' : s.type === 'boolean' ? 'boolean' : s.type === 'enum' ? 'enum' : 'string';
}

/** "preview 1500 · standard 15000 · high 60000", or one value when every preset agrees. */
function presetDefaults(key: OverrideKey): string | null {
  const values = TrainingPreset.options.map((p) => (TRAINING_PRESETS[p] as Record<string, unknown>)[key]);
  if (values.every((v) => v === undefined)) return null;
  if (values.every((v) => v === values[0])) return `default ${String(values[0])}`;
  return TrainingPreset.options.map((p, i) => `${p} ${String(values[i])}`).join(' · ');
}

/** Adds `--preset` and one flag per training override (help text with each preset's value) to a command. */
export function addTrainingOptions(cmd: Command): Command {
  cmd.addOption(new Option('--preset <preset>', 'training preset').choices(TrainingPreset.options).default('preview'));
  for (const f of overrideFields()) {
    const kind = kindOf(f.schema);
    const defaults = presetDefaults(f.key);
    const help = `${HELP[f.key] ?? f.key}${defaults ? ` (${defaults})` : ''}`;
    const opt = new Option(`--${f.flag} <${kind === 'number' ? 'n' : 'value'}>`, help);
    const inner = (f.schema as z.ZodType & { unwrap?: () => { options?: string[] } }).unwrap?.();
    if (kind === 'enum' && inner?.options) opt.choices(inner.options);
    cmd.addOption(opt);
  }
  return cmd;
}

/**
 * The overrides given on the command line, each checked against the contract so that a bad value is refused naming
 * its flag. Absent flags stay absent (the preset's value is used).
 */
export function trainingOverridesFrom(opts: Record<string, unknown>): TrainingOverrides {
  const out: Record<string, unknown> = {};
  for (const f of overrideFields()) {
    const raw = opts[camel(f.flag)];
    if (raw === undefined) continue;
    const kind = kindOf(f.schema);
    if (kind === 'boolean' && !['true', 'false', 'on', 'off', '1', '0'].includes(String(raw))) throw new StudioError('BAD_REQUEST', `--${f.flag} must be true or false, not “${String(raw)}”.`);
    const value = kind === 'number' ? Number(raw) : kind === 'boolean' ? ['true', 'on', '1'].includes(String(raw)) : raw;
    if (kind === 'number' && (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value))) throw new StudioError('BAD_REQUEST', `--${f.flag} must be a number, not “${String(raw)}”.`);
    const checked = f.schema.safeParse(value);
    if (!checked.success) throw new StudioError('BAD_REQUEST', `--${f.flag} ${String(raw)}: ${checked.error.issues[0]?.message ?? 'invalid value'}.`);
    out[f.key] = checked.data;
  }
  return out as TrainingOverrides;
}

export function presetFrom(opts: { preset?: unknown }): TrainingPreset {
  const p = TrainingPreset.safeParse(opts.preset ?? 'preview');
  if (!p.success) throw new StudioError('BAD_REQUEST', `Unknown preset “${String(opts.preset)}”: use ${TrainingPreset.options.join(', ')}.`);
  return p.data;
}

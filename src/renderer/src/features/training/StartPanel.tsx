import { useEffect, useMemo, useState } from 'react';
import { TRAINING_PRESETS, type TrainingEstimate, type TrainingPreset } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import type { TrackingSummary } from '@shared/model/tracking';
import { Button } from '../../components/Button';
import { errorMessage } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';
import { toast } from '../../store/toasts';
import { useShortcut } from '../shortcuts/useShortcut';
import {
  BACKGROUND_LABEL,
  EMPTY_FORM,
  estimateText,
  formatDefault,
  formToOverrides,
  OVERRIDE_FIELDS,
  PRESET_LABEL,
  PRESET_NOTE,
  PRESET_ORDER,
  presetSummary,
  rangeText,
  type AdvancedForm,
} from './trainingText';

const GROUPS = ['Size', 'Learning rates', 'Loss and schedule', 'Run'] as const;

/** Why a capture cannot be trained on yet, or null. */
function notReady(capture: Capture, summary: TrackingSummary | null | undefined): string | null {
  if (summary === undefined) return 'Checking its tracking…';
  if (!summary) return 'Not tracked yet: track the faces in the Footage review first.';
  if (summary.headModel !== 'open-head') return 'Tracked without the head-model fit: track it again.';
  if (capture.splitCounts.train === 0) return 'Every frame is excluded or marked as test.';
  return null;
}

/**
 * New training run: which capture, a preset, the advanced panel (every hyper-parameter, the preset's value as the
 * placeholder; empty keeps it) and Start (Mod+Enter).
 */
export function StartPanel({ captures, summaries, readOnly, busyCaptureIds }: { captures: Capture[]; summaries: Record<string, TrackingSummary | null>; readOnly: string | null; busyCaptureIds: Set<string> }) {
  const ready = useMemo(() => captures.filter((c) => !notReady(c, summaries[c.id])), [captures, summaries]);
  const [captureId, setCaptureId] = useState<string>('');
  const [preset, setPreset] = useState<TrainingPreset>('preview');
  const [form, setForm] = useState<AdvancedForm>(EMPTY_FORM);
  const [advanced, setAdvanced] = useState(false);
  const [starting, setStarting] = useState(false);
  const [estimates, setEstimates] = useState<Partial<Record<TrainingPreset, TrainingEstimate>>>({});
  useEffect(() => {
    // How long each preset takes here (earlier runs of this library, or the CPU measurement): once per panel.
    let live = true;
    for (const p of PRESET_ORDER)
      studio()
        .client.call('training.estimate', { preset: p })
        .then((e) => live && setEstimates((all) => ({ ...all, [p]: e })))
        .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    if (!captures.some((c) => c.id === captureId)) setCaptureId(ready[0]?.id ?? captures[0]?.id ?? '');
  }, [captures, ready, captureId]);

  const capture = captures.find((c) => c.id === captureId) ?? null;
  const why = capture ? notReady(capture, summaries[capture.id]) : 'Import and track footage first.';
  const { overrides, errors } = formToOverrides(form);
  const invalid = Object.keys(errors).length > 0;
  const changed = Object.keys(overrides).length;
  const defaults = TRAINING_PRESETS[preset];
  const disabledReason = readOnly ?? why ?? (invalid ? 'Fix the highlighted settings first.' : capture && busyCaptureIds.has(capture.id) ? 'This capture is being trained already; see the card beside.' : null);

  const start = async () => {
    if (disabledReason || !capture) {
      if (disabledReason) toast.error(disabledReason);
      return;
    }
    setStarting(true);
    try {
      const job = await studio().client.call('training.start', { captureId: capture.id, preset, overrides: changed ? overrides : undefined });
      useJobs.getState().upsert(job);
      toast.info(`Training started on “${capture.name}” (${PRESET_LABEL[preset]}).`);
    } catch (e) {
      toast.error(errorMessage(e));
    } finally {
      setStarting(false);
    }
  };
  useShortcut('trainingStart', () => void start(), !starting);

  const setValue = (key: string, v: string) => setForm((f) => ({ ...f, values: { ...f.values, [key]: v } }));

  return (
    <section className="training-start" aria-labelledby="training-start-title">
      <h2 id="training-start-title" className="section-title">
        Train a new avatar
      </h2>
      <label className="field">
        <span className="field-label">Capture</span>
        <select className="select" value={captureId} onChange={(e) => setCaptureId(e.target.value)} aria-label="Capture to train on">
          {captures.length === 0 && <option value="">No captures yet</option>}
          {captures.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} — {plural(c.splitCounts.train, 'train frame')}
              {c.cameras.length > 1 ? `, ${c.cameras.length} cameras` : ''}
              {notReady(c, summaries[c.id]) ? ' (not ready)' : ''}
            </option>
          ))}
        </select>
        {why && <span className="field-hint">{why}</span>}
        {!why && capture && capture.splitCounts.test === 0 && !form.holdOutCamera && (
          <span className="field-hint">No test frames: the avatar will not be evaluated. Mark a few frames as test in the Footage review (T) to get a report.</span>
        )}
      </label>

      <fieldset className="training-presets">
        <legend className="field-label">Preset</legend>
        <div className="preset-options" role="radiogroup" aria-label="Preset">
          {PRESET_ORDER.map((p) => (
            <label key={p} className={`preset-option${preset === p ? ' is-checked' : ''}`}>
              <input type="radio" name="training-preset" value={p} checked={preset === p} onChange={() => setPreset(p)} />
              <span className="preset-name">{PRESET_LABEL[p]}</span>
              <span className="preset-summary">{presetSummary(p)}</span>
              <span className="preset-note muted">{PRESET_NOTE[p]}</span>
              <span className="preset-estimate muted" data-testid={`preset-estimate-${p}`}>
                {estimateText(estimates[p]) ?? (estimates[p] ? 'Time: known after a first run here' : '')}
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <details className="training-advanced" open={advanced} onToggle={(e) => setAdvanced(e.currentTarget.open)}>
        <summary>
          Advanced settings{changed ? <span className="badge">{changed} changed</span> : null}
        </summary>
        <p className="field-hint">Empty fields keep the {PRESET_LABEL[preset]} preset’s value, shown greyed.</p>
        {GROUPS.map((g) => (
          <div key={g} className="advanced-group" role="group" aria-label={g}>
            <h3>{g}</h3>
            <div className="advanced-grid">
              {OVERRIDE_FIELDS.filter((f) => f.group === g).map((f) => (
                <label key={f.key} className="field advanced-field" title={`${f.hint}. ${rangeText(f.key) ?? ''}`}>
                  <span className="field-label">{f.label}</span>
                  <input
                    className="input"
                    inputMode={f.integer ? 'numeric' : 'decimal'}
                    placeholder={formatDefault(defaults[f.key])}
                    value={form.values[f.key] ?? ''}
                    aria-invalid={errors[f.key] ? true : undefined}
                    aria-label={f.label}
                    onChange={(e) => setValue(f.key, e.target.value)}
                  />
                  {errors[f.key] ? <span className="field-error">{errors[f.key]}</span> : <span className="field-hint">{f.hint}</span>}
                </label>
              ))}
              {g === 'Loss and schedule' && (
                <label className="field advanced-field">
                  <span className="field-label">Background</span>
                  <select className="select" aria-label="Background" value={form.background} onChange={(e) => setForm((f) => ({ ...f, background: e.target.value as AdvancedForm['background'] }))}>
                    <option value="">Preset: {BACKGROUND_LABEL[defaults.background]}</option>
                    {(Object.keys(BACKGROUND_LABEL) as (keyof typeof BACKGROUND_LABEL)[]).map((b) => (
                      <option key={b} value={b}>
                        {BACKGROUND_LABEL[b]}
                      </option>
                    ))}
                  </select>
                  <span className="field-hint">Behind the render and the matted target</span>
                </label>
              )}
              {g === 'Loss and schedule' && (
                <label className="field advanced-field">
                  <span className="field-label">Head tuning</span>
                  <select className="select" aria-label="Head tuning" value={form.headTuning} onChange={(e) => setForm((f) => ({ ...f, headTuning: e.target.value as AdvancedForm['headTuning'] }))}>
                    <option value="">Preset: {defaults.headTuning ? 'On' : 'Off'}</option>
                    <option value="on">On</option>
                    <option value="off">Off</option>
                  </select>
                  <span className="field-hint">Refine tracked poses and learn expression correctives</span>
                </label>
              )}
              {g === 'Run' && (
                <label className="field advanced-field">
                  <span className="field-label">Framing</span>
                  <select className="select" aria-label="Framing" value={form.frameSubject} onChange={(e) => setForm((f) => ({ ...f, frameSubject: e.target.value as AdvancedForm['frameSubject'] }))}>
                    <option value="">Preset: {defaults.frameSubject ? 'Head' : 'Whole'}</option>
                    <option value="head">Around the head</option>
                    <option value="whole">Whole frame</option>
                  </select>
                  <span className="field-hint">Train on square crops that follow the head, at the full training size</span>
                </label>
              )}
              {g === 'Run' && capture && capture.cameras.length > 1 && (
                <label className="field advanced-field">
                  <span className="field-label">Evaluate on</span>
                  <select className="select" aria-label="Hold out a camera" value={form.holdOutCamera} onChange={(e) => setForm((f) => ({ ...f, holdOutCamera: e.target.value }))}>
                    <option value="">The test frames</option>
                    {capture.cameras.map((c) => (
                      <option key={c.id} value={c.id}>
                        Camera {c.name} held out (novel view)
                      </option>
                    ))}
                  </select>
                  <span className="field-hint">A held-out camera never trains</span>
                </label>
              )}
            </div>
          </div>
        ))}
        {changed > 0 && (
          <Button size="sm" variant="ghost" onClick={() => setForm(EMPTY_FORM)}>
            Reset to the preset
          </Button>
        )}
      </details>

      <div className="training-start-actions">
        <Button variant="primary" icon="play" busy={starting} disabledReason={disabledReason} title="Start training (Ctrl/⌘+Enter)" onClick={() => void start()}>
          Start training
        </Button>
      </div>
    </section>
  );
}

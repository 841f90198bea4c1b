/**
 * The export dialog: choose a format (unavailable ones disabled with the reason), its settings (pose, sequence,
 * size, fps, quality, frame step), Export starts the `avatar.export` job. Its progress and then its result (size,
 * time, Download — a folder as a .zip in web mode — or the path) show in the footer beside the Export button, where
 * the user is looking; the result clears when the format or a setting changes. Below, the project's past exports of
 * this avatar with "Export again" and the same download. Opened from the avatars table, the viewport toolbar, or
 * Ctrl/⌘+E (usePanels modal `export`).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { ExportFormat, ExportRecord } from '@shared/model/export';
import type { Job } from '@shared/model/job';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { ProgressBar } from '../../components/ProgressBar';
import { errorMessage } from '../../lib/errors';
import { formatBytes, formatEta, formatRelativeTime } from '../../lib/format';
import { useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';
import { DEFAULT_FORM, exportAction, exportRequest, exportResultText, FORMATS, formatInfo, formError, repeatUnavailableReason, settingsSummary, SIZE_PRESETS, unavailableReason, type ExportForm } from './exportFormats';
import './export.css';

/** Download (a file, or a folder as a .zip in web mode) or the path of an export. */
function ExportActionView({ e, primary = false }: { e: Pick<ExportRecord, 'id' | 'projectId' | 'format' | 'path'>; primary?: boolean }) {
  const action = exportAction(e, studio());
  if (!action) return <span className="muted">—</span>;
  if (action.kind === 'path') return <code className="export-path" title={action.path}>{action.path}</code>;
  return (
    <a href={action.href} download={action.name} className={primary ? 'btn btn-secondary btn-sm export-download' : 'export-link'} title={primary ? `Download ${action.name}` : undefined} data-testid={primary ? 'export-download' : undefined}>
      {primary ? `Download ${action.name}` : action.name}
    </a>
  );
}

export function ExportDialog({ projectId, avatarId, onClose }: { projectId: string; avatarId: string; onClose: () => void }) {
  const [info, setInfo] = useState<AvatarWithFiles | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<ExportForm>(DEFAULT_FORM);
  /** The export started from this dialog (its format: the job does not carry its params). */
  const [started, setStarted] = useState<{ jobId: string; format: ExportFormat } | null>(null);
  const jobId = started?.jobId ?? null;
  const [startError, setStartError] = useState<string | null>(null);
  const [past, setPast] = useState<ExportRecord[]>([]);
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined));

  const refreshList = useCallback(() => {
    studio()
      .client.call('exports.list', { projectId })
      .then((list) => setPast(list.filter((e) => e.avatarId === avatarId)))
      .catch(() => undefined);
  }, [projectId, avatarId]);

  useEffect(() => {
    studio()
      .client.call('avatars.get', { id: avatarId })
      .then((i) => {
        setInfo(i);
        if (i.fps) setForm((f) => ({ ...f, fps: Math.round(i.fps!) }));
      })
      .catch((e) => setLoadError(errorMessage(e)));
    refreshList();
  }, [avatarId, refreshList]);

  const finished = job && ['completed', 'failed', 'cancelled', 'interrupted'].includes(job.status);
  useEffect(() => {
    if (finished) refreshList();
  }, [finished, refreshList]);

  /** A change of format or setting: the result shown belongs to the finished export only, so it goes. */
  const edit = (change: (f: ExportForm) => ExportForm) => {
    setForm(change);
    if (finished || startError) {
      setStarted(null);
      setStartError(null);
    }
  };
  const set = <K extends keyof ExportForm>(k: K, v: ExportForm[K]) => edit((f) => ({ ...f, [k]: v }));
  const fmt = formatInfo(form.format);
  const reason = unavailableReason(form.format, info);
  const invalid = formError(form, info);
  const running = job !== undefined && !finished;

  const start = async (format: ExportFormat, call: () => Promise<Job>) => {
    setStartError(null);
    setStarted(null);
    try {
      const j = await call();
      useJobs.getState().upsert(j);
      setStarted({ jobId: j.id, format });
    } catch (e) {
      setStartError(errorMessage(e));
    }
  };
  const exportNow = () => start(form.format, () => studio().client.call('exports.create', exportRequest(avatarId, form) as never));
  const again = (e: ExportRecord) => start(e.format, () => studio().client.call('exports.repeat', { id: e.id }));

  const sizeKey = `${form.width}x${form.height}`;
  const presetKnown = SIZE_PRESETS.some((p) => `${p.width}x${p.height}` === sizeKey);
  const result = job?.status === 'completed' ? (job.result as { exportId?: string; path?: string; size?: number; seconds?: number; frames?: number } | null) : null;
  const resultFormat = started?.format ?? form.format;
  const name = info ? `${info.avatar.name} v${info.avatar.version}` : 'the avatar';

  const frames = useMemo(() => info?.files.fits.length ?? 0, [info]);

  return (
    <Dialog
      title={`Export ${name}`}
      size="lg"
      className="export-dialog"
      onClose={onClose}
      footer={
        <>
          {(job || startError) && (
            <div className="export-status" aria-live="polite" data-testid="export-status">
              {startError && <p className="field-error">{startError}</p>}
              {job && (
                <>
                  <p className="export-progress-line">
                    <strong>{job.status === 'completed' ? 'Exported' : job.status === 'failed' ? 'Export failed' : job.status === 'cancelled' ? 'Cancelled' : job.progress.stage}</strong>
                    {running && formatEta(job.progress.etaSeconds) ? <span className="muted"> — {formatEta(job.progress.etaSeconds)}</span> : null}
                    {result && <span className="muted">{exportResultText(result, resultFormat)}</span>}
                  </p>
                  {job.status !== 'completed' && <ProgressBar fraction={job.status === 'queued' ? null : job.progress.fraction} label="Export progress" tone={job.status === 'failed' ? 'danger' : 'accent'} />}
                  {job.status === 'failed' && <p className="field-error">{job.error?.message}</p>}
                  {result?.exportId && result.path && (
                    <div className="export-result-actions">
                      <ExportActionView primary e={{ id: result.exportId, projectId, format: resultFormat, path: result.path }} />
                    </div>
                  )}
                </>
              )}
            </div>
          )}
          {running && job && (
            <Button variant="ghost" onClick={() => void useJobs.getState().cancel(job.id)}>
              Cancel export
            </Button>
          )}
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
          <Button variant="primary" icon="export" onClick={exportNow} disabledReason={reason ?? invalid ?? (running ? 'An export is running.' : null)} data-testid="export-start">
            Export
          </Button>
        </>
      }
    >
      {loadError && <p className="field-error">{loadError}</p>}
      <div className="export-grid">
        <fieldset className="export-formats">
          <legend className="field-label">Format</legend>
          <div role="radiogroup" aria-label="Format">
            {FORMATS.map((f) => {
              const why = unavailableReason(f.id, info);
              return (
                <label key={f.id} className={`export-format${form.format === f.id ? ' is-checked' : ''}${why ? ' is-disabled' : ''}`} title={why ?? f.what}>
                  <input type="radio" name="export-format" value={f.id} checked={form.format === f.id} disabled={Boolean(why) && info !== null} onChange={() => set('format', f.id as ExportFormat)} data-autofocus={form.format === f.id || undefined} />
                  <span className="export-format-name">{f.label}</span>
                  <span className="export-format-what muted">{why && info ? why : f.what}</span>
                </label>
              );
            })}
          </div>
        </fieldset>

        <div className="export-settings" aria-label="Settings">
          <p className="field-label">Settings</p>
          {fmt.kind === 'static' && (
            <>
              <label className="field">
                <span className="field-label">Pose</span>
                <select className="select" value={form.pose} onChange={(e) => set('pose', e.target.value as ExportForm['pose'])} aria-label="Pose">
                  <option value="neutral">Neutral face</option>
                  <option value="frame" disabled={frames === 0}>
                    A tracked frame
                  </option>
                </select>
              </label>
              {form.pose === 'frame' && (
                <label className="field">
                  <span className="field-label">Tracked frame</span>
                  <input className="input" type="number" min={0} value={form.frame} onChange={(e) => set('frame', Number(e.target.value))} aria-label="Tracked frame" />
                </label>
              )}
            </>
          )}
          {fmt.kind === 'video' && (
            <>
              <label className="field">
                <span className="field-label">Sequence</span>
                <select className="select" value={form.sequence} onChange={(e) => set('sequence', e.target.value as ExportForm['sequence'])} aria-label="Sequence">
                  <option value="turntable">Turntable (360° around the neutral face)</option>
                  <option value="tracked" disabled={frames === 0}>
                    Tracked motion of the capture
                  </option>
                </select>
              </label>
              <label className="field">
                <span className="field-label">Size</span>
                <select
                  className="select"
                  aria-label="Size"
                  value={presetKnown ? sizeKey : 'custom'}
                  onChange={(e) => {
                    const p = SIZE_PRESETS.find((x) => `${x.width}x${x.height}` === e.target.value);
                    if (p) edit((f) => ({ ...f, width: p.width, height: p.height }));
                  }}
                >
                  {SIZE_PRESETS.map((p) => (
                    <option key={p.label} value={`${p.width}x${p.height}`}>
                      {p.label}
                    </option>
                  ))}
                  {!presetKnown && <option value="custom">{`${form.width} × ${form.height}`}</option>}
                </select>
              </label>
              <div className="field-row">
                <label className="field">
                  <span className="field-label">Width</span>
                  <input className="input" type="number" min={16} max={4096} step={2} value={form.width} onChange={(e) => set('width', Number(e.target.value))} aria-label="Width" />
                </label>
                <label className="field">
                  <span className="field-label">Height</span>
                  <input className="input" type="number" min={16} max={4096} step={2} value={form.height} onChange={(e) => set('height', Number(e.target.value))} aria-label="Height" />
                </label>
                <label className="field">
                  <span className="field-label">FPS</span>
                  <input className="input" type="number" min={1} max={120} value={form.fps} onChange={(e) => set('fps', Number(e.target.value))} aria-label="Frames per second" />
                </label>
              </div>
              {form.sequence === 'turntable' && (
                <label className="field">
                  <span className="field-label">Frames in the turn</span>
                  <input className="input" type="number" min={1} max={3600} value={form.turntableFrames} onChange={(e) => set('turntableFrames', Number(e.target.value))} aria-label="Frames in the turn" />
                </label>
              )}
              {form.format === 'mp4' && (
                <label className="field">
                  <span className="field-label">
                    Quality <span className="muted">(CRF {form.quality}: {form.quality <= 18 ? 'near lossless' : form.quality <= 24 ? 'good' : 'small file'})</span>
                  </span>
                  <input type="range" min={12} max={36} value={form.quality} onChange={(e) => set('quality', Number(e.target.value))} aria-label="Quality (CRF, lower is better)" />
                </label>
              )}
            </>
          )}
          {fmt.kind === 'mesh' && (
            <label className="field">
              <span className="field-label">Every n-th tracked frame</span>
              <input className="input" type="number" min={1} value={form.frameStep} onChange={(e) => set('frameStep', Number(e.target.value))} aria-label="Frame step" />
            </label>
          )}
          {fmt.kind === 'whole' && <p className="field-hint">{fmt.what}. No settings.</p>}
          <p className="field-hint">
            Written to the project’s <code>exports/</code> folder{fmt.folder ? ' (a folder)' : ''}.
          </p>
          {(reason || invalid) && info && <p className="field-error">{reason ?? invalid}</p>}
        </div>
      </div>

      <section className="export-history" aria-label="Past exports">
        <p className="field-label">Past exports of this avatar</p>
        {past.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table className="export-table">
            <thead>
              <tr>
                <th scope="col">Format</th>
                <th scope="col">Settings</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">When</th>
                <th scope="col">File</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {past.map((e) => (
                <tr key={e.id}>
                  <td>{formatInfo(e.format).label}</td>
                  <td>{settingsSummary(e)}</td>
                  <td className="num">{e.size !== null ? formatBytes(e.size) : '—'}</td>
                  <td className="nowrap">{formatRelativeTime(e.createdAt)}</td>
                  <td>
                    <ExportActionView e={e} />
                  </td>
                  <td>
                    <Button size="sm" onClick={() => void again(e)} disabledReason={repeatUnavailableReason(e) ?? (running ? 'An export is running.' : null)} aria-label={`Export again: ${formatInfo(e.format).label}, ${settingsSummary(e)}`}>
                      Export again
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Dialog>
  );
}

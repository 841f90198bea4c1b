/**
 * The bake panel of an avatar (a dialog opened from the avatars table): map size and steps, Start runs the
 * `avatar.bake` job with live progress (stage, step, ETA) and Cancel; then the bake report (held-out PSNR/SSIM
 * before and after, the drop, observed fraction, time) with the colour / opacity / visibility maps, and a link to
 * the texture editor.
 */
import { useEffect, useState } from 'react';
import type { Avatar } from '@shared/model/avatar';
import type { BakeSummary } from '@shared/model/bake';
import type { Job } from '@shared/model/job';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { ProgressBar } from '../../components/ProgressBar';
import { errorMessage } from '../../lib/errors';
import { formatEta } from '../../lib/format';
import { useJobs } from '../../store/jobs';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';
import { BakeReportView } from './BakeReportView';
import { bakeFormError, DEFAULT_BAKE_FORM, MAP_SIZES, type MapSize } from './bakeText';
import { useBakeReport } from './useBake';
import './bake.css';

export function BakeDialog({ projectId, avatar, onClose }: { projectId: string; avatar: Avatar; onClose: () => void }) {
  const { report: stored, loaded } = useBakeReport(projectId, avatar.id);
  const [form, setForm] = useState(DEFAULT_BAKE_FORM);
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined));
  const finished = job !== undefined && ['completed', 'failed', 'cancelled', 'interrupted'].includes(job.status);
  const running = job !== undefined && !finished;
  const [report, setReport] = useState<BakeSummary | null>(null);
  useEffect(() => setReport(stored), [stored]);
  useEffect(() => {
    if (job?.status === 'completed' && job.result) setReport(job.result as BakeSummary);
  }, [job?.status, job?.result]);

  const invalid = bakeFormError(form);
  const name = `${avatar.name} v${avatar.version}`;
  const start = async () => {
    setStartError(null);
    try {
      const j: Job = await studio().client.call('bake.start', { avatarId: avatar.id, mapSize: form.mapSize, steps: form.steps });
      useJobs.getState().upsert(j);
      setJobId(j.id);
    } catch (e) {
      setStartError(errorMessage(e));
    }
  };
  const cancel = () => {
    if (jobId) void studio().client.call('jobs.cancel', { id: jobId }).catch((e) => setStartError(errorMessage(e)));
  };
  const editTexture = () => {
    onClose();
    navigate({ name: 'project', id: projectId, section: 'texture', avatarId: avatar.id });
  };
  const p = job?.progress;
  const eta = p ? formatEta(p.etaSeconds) : null;

  return (
    <Dialog
      title={`Bake ${name} into textures`}
      description="Bakes the avatar's Gaussians into UV maps (colour, opacity, scale, rotation, offset) that the texture editor paints on. The held-out frames show what the bake costs in quality."
      size="lg"
      className="bake-dialog"
      onClose={onClose}
      footer={
        <>
          {report && (
            <Button variant="ghost" icon="brush" onClick={editTexture} data-testid="bake-edit-texture">
              Edit texture
            </Button>
          )}
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
          {running ? (
            <Button variant="danger" icon="stop" onClick={cancel} data-testid="bake-cancel">
              Cancel bake
            </Button>
          ) : (
            <Button variant="primary" icon="play" onClick={() => void start()} disabledReason={invalid} data-testid="bake-start">
              {report ? 'Bake again' : 'Start bake'}
            </Button>
          )}
        </>
      }
    >
      <div className="bake-form">
        <label className="field">
          <span className="field-label">Map size</span>
          <select className="select" value={form.mapSize} disabled={running} onChange={(e) => setForm((f) => ({ ...f, mapSize: Number(e.target.value) as MapSize }))} data-autofocus aria-label="Map size">
            {MAP_SIZES.map((m) => (
              <option key={m} value={m}>
                {m} × {m}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Fit steps</span>
          <input className="input" type="number" min={0} step={50} value={Number.isFinite(form.steps) ? form.steps : ''} disabled={running} onChange={(e) => setForm((f) => ({ ...f, steps: e.target.value === '' ? NaN : Number(e.target.value) }))} aria-label="Fit steps" />
        </label>
        <p className="muted bake-hint">0 steps only splats the Gaussians into the maps (seconds, but a visible quality drop); a few hundred steps fit the maps through the renderer.</p>
      </div>
      {invalid && <p className="field-error">{invalid}</p>}
      {startError && (
        <p className="field-error" role="alert">
          {startError}
        </p>
      )}
      {job && p && (running || job.status !== 'completed') && (
        <div className="bake-progress" aria-live="polite">
          <ProgressBar fraction={job.status === 'queued' ? null : p.fraction} label="Bake progress" tone={job.status === 'failed' ? 'danger' : 'accent'} />
          <p className="muted" data-testid="bake-stage">
            {job.status === 'failed' || job.status === 'interrupted' ? (job.error?.message ?? 'The bake failed.') : job.status === 'cancelled' ? 'Cancelled: the previous bake (if any) is unchanged.' : p.stage}
            {running && p.done !== undefined && p.total ? ` · ${p.done.toLocaleString()} / ${p.total.toLocaleString()} ${p.unit ?? ''}` : ''}
            {running && eta ? ` · ${eta}` : ''}
          </p>
        </div>
      )}
      {report ? <BakeReportView projectId={projectId} report={report} /> : loaded && !running && <p className="muted">Not baked yet.</p>}
    </Dialog>
  );
}

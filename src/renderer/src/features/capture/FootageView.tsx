import { useEffect, useMemo } from 'react';
import type { Project } from '@shared/model/project';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { formatPercent } from '../../lib/format';
import { refreshCaptures, useCaptures } from '../../store/captures';
import { useReadOnlyReason } from '../../store/connection';
import { isActive, sortJobs, useJobs } from '../../store/jobs';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';
import { toast } from '../../store/toasts';
import { JobRow } from '../jobs/JobRow';
import { CaptureReview } from './CaptureReview';
import { offerDuplicateImport, uploadText } from './importFootage';
import { isImportJob, pickFootage } from './importFlow';
import './capture.css';

/** Keeps the captures of a project fresh from host events (changes, finished imports, reconnects). */
function useCaptureSync(projectId: string): void {
  useEffect(() => {
    const { client, onStatus } = studio();
    const load = () => void useCaptures.getState().loadList(projectId);
    load();
    let wasOpen = true;
    const offs = [
      client.on('captures.changed', (e) => {
        if (e.projectId === projectId) refreshCaptures(projectId, e.captureIds);
      }),
      client.on('job.updated', (job) => {
        if (!isImportJob(job) || job.projectId !== projectId || isActive(job)) return;
        if (job.status === 'failed' && job.error?.code === 'CONFLICT') offerDuplicateImport(job.id, job.error.message);
        if (job.status === 'completed') {
          const captureId = (job.result as { captureId?: unknown } | null)?.captureId;
          if (typeof captureId === 'string') useCaptures.getState().markImported(projectId, captureId);
          load();
        }
      }),
      onStatus((s) => {
        if (s === 'open' && !wasOpen) load();
        wasOpen = s === 'open';
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [projectId]);
}

/** The Footage section: import, the list of captures, and the timeline review of the chosen one. */
export function FootageView({ project, captureId }: { project: Project; captureId?: string }) {
  useCaptureSync(project.id);
  const entry = useCaptures((s) => s.byProject[project.id]);
  const uploads = useCaptures((s) => s.uploads);
  const justImported = useCaptures((s) => s.justImported[project.id]);
  const jobsById = useJobs((s) => s.jobs);
  const readOnly = useReadOnlyReason();
  const trashed = project.trashedAt !== null;
  const blocked = readOnly ?? (trashed ? 'Restore the project from the Trash to import footage.' : null);

  const captures = useMemo(() => (entry?.captures ?? []).slice().sort((a, b) => a.createdAt - b.createdAt), [entry]);
  const importJobs = useMemo(
    () => sortJobs(Object.values(jobsById).filter((j) => isImportJob(j) && j.projectId === project.id && (isActive(j) || j.status === 'failed' || j.status === 'interrupted' || j.status === 'cancelled'))),
    [jobsById, project.id],
  );
  const projectUploads = uploads.filter((u) => u.projectId === project.id);

  // Open a capture an import just made; otherwise keep the one in the URL, or the newest.
  const selected = captures.find((c) => c.id === captureId) ?? captures.at(-1) ?? null;
  useEffect(() => {
    if (justImported && captures.some((c) => c.id === justImported)) {
      useCaptures.getState().clearImported(project.id);
      navigate({ name: 'project', id: project.id, section: 'footage', captureId: justImported });
    }
  }, [justImported, captures, project.id]);

  const choose = (id: string) => navigate({ name: 'project', id: project.id, section: 'footage', captureId: id });

  const importButton = (
    <Button variant={captures.length ? 'secondary' : 'primary'} icon="upload" disabledReason={blocked} title="Import video, photos or an image folder (Ctrl+I)" onClick={() => pickFootage(project.id, blocked)}>
      Import footage…
    </Button>
  );

  return (
    <div className="footage">
      <header className="footage-header">
        <h2 className="visually-hidden">Footage</h2>
        {captures.length > 0 && (
          <div className="capture-tabs" role="tablist" aria-label="Captures">
            {captures.map((c) => (
              <button
                key={c.id}
                type="button"
                role="tab"
                aria-selected={selected?.id === c.id}
                className={`capture-tab${selected?.id === c.id ? ' is-active' : ''}`}
                onClick={() => choose(c.id)}
                title={`${c.name} — ${c.frameCount.toLocaleString()} frames${c.cameras.length > 1 ? `, ${c.cameras.length} cameras` : ''}`}
              >
                {c.cameras[0] && (
                  <CaptureThumb projectId={project.id} captureId={c.id} />
                )}
                <span className="capture-tab-name">{c.name}</span>
                <span className="capture-tab-meta">
                  {c.frameCount.toLocaleString()}
                  {c.cameras.length > 1 ? ` × ${c.cameras.length}` : ''}
                </span>
              </button>
            ))}
          </div>
        )}
        <div className="footage-header-actions">{importButton}</div>
      </header>

      {(projectUploads.length > 0 || importJobs.length > 0) && (
        <section className="footage-imports" aria-label="Imports">
          <ul className="jobs-list">
            {projectUploads.map((u) => (
              <li key={`u${u.id}`} className="job upload" aria-label={`Uploading ${u.label}`}>
                <div className="job-head">
                  <div className="job-titles">
                    <span className="job-title">Uploading {u.label}</span>
                    <span className="job-kind">Sending the file to the studio</span>
                  </div>
                  <span className="status-chip status-running">{formatPercent(u.total ? u.loaded / u.total : 0)}</span>
                </div>
                <ProgressBar fraction={u.total ? u.loaded / u.total : null} label={`Upload of ${u.label}`} />
                <div className="job-detail">
                  <span>{uploadText(u.loaded, u.total)}</span>
                </div>
                <div className="job-actions">
                  <Button size="sm" icon="stop" onClick={() => u.abort()} aria-label={`Cancel the upload of ${u.label}`}>
                    Cancel
                  </Button>
                </div>
              </li>
            ))}
            {importJobs.map((j) => (
              <JobRow key={j.id} job={j} />
            ))}
          </ul>
        </section>
      )}

      {!entry?.loaded ? (
        <p className="loading" role="status">
          Loading footage…
        </p>
      ) : entry.error && captures.length === 0 ? (
        <EmptyState icon="alert" title="Could not load the footage" actions={<Button onClick={() => void useCaptures.getState().loadList(project.id)}>Try again</Button>}>
          <p>{entry.error.message}</p>
        </EmptyState>
      ) : !selected ? (
        projectUploads.length === 0 && importJobs.length === 0 ? (
          <EmptyState icon="film" title="No footage yet" actions={importButton}>
            <p>Import a video of the person, a folder of images or a few photos — or drop them anywhere on this page. Several synchronised videos can become one multi-view capture.</p>
            <p className="muted">Frames are extracted, measured for sharpness and exposure, and the last 20% are proposed as test frames.</p>
          </EmptyState>
        ) : null
      ) : (
        <CaptureReview key={selected.id} capture={selected} readOnly={blocked} onImport={() => pickFootage(project.id, blocked)} onDeleted={() => toast.info('Capture deleted.')} />
      )}
    </div>
  );
}

/** The first thumbnail of a capture, from the frames already loaded for review (else a film icon). */
function CaptureThumb({ projectId, captureId }: { projectId: string; captureId: string }) {
  const thumb = useCaptures((s) => {
    const f = s.frames[captureId];
    if (!f) return null;
    const first = Object.values(f.byCamera)[0]?.[0];
    return first?.thumb ?? null;
  });
  return thumb ? <img className="capture-tab-thumb" src={studio().assetUrl(projectId, thumb)} alt="" draggable={false} /> : <span className="capture-tab-thumb is-empty" />;
}

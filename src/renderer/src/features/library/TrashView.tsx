import { useEffect, useMemo } from 'react';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { ProjectThumbnail } from '../../components/ProjectThumbnail';
import { formatBytes, formatPercent, formatRelativeTime, plural } from '../../lib/format';
import { useReadOnlyReason } from '../../store/connection';
import { isActive, useJobs } from '../../store/jobs';
import { usePanels } from '../../store/panels';
import { useProjects } from '../../store/projects';
import { LoadError } from './LoadError';

/** Projects in the Trash: restore one, or empty the Trash for good (a job, after confirmation). */
export function TrashView() {
  const trash = useProjects((s) => s.trash);
  const state = useProjects((s) => s.trashState);
  const readOnly = useReadOnlyReason();
  const openModal = usePanels((s) => s.openModal);
  const jobs = useJobs((s) => s.jobs);
  const emptying = useMemo(() => Object.values(jobs).find((j) => j.kind === 'trash.empty' && isActive(j)) ?? null, [jobs]);

  useEffect(() => {
    void useProjects.getState().loadTrash();
  }, []);

  const sorted = useMemo(() => trash.slice().sort((a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0)), [trash]);
  const totalBytes = sorted.reduce((n, p) => n + p.sizeBytes, 0);

  let content;
  if (!state.loaded && state.error) {
    content = <LoadError error={state.error} onRetry={() => void useProjects.getState().loadTrash()} />;
  } else if (!state.loaded) {
    content = (
      <p className="loading" role="status">
        Loading the Trash…
      </p>
    );
  } else if (sorted.length === 0) {
    content = (
      <EmptyState icon="trash" title="The Trash is empty">
        <p>Projects you move to the Trash wait here until you empty it. Until then you can restore them with everything in them.</p>
      </EmptyState>
    );
  } else {
    content = (
      <ul className="trash-list" aria-label="Projects in the Trash">
        {sorted.map((p) => (
          <li key={p.id} className="trash-row">
            <ProjectThumbnail project={p} size="small" />
            <div className="trash-row-text">
              <span className="trash-row-name">{p.name}</span>
              <span className="muted">
                Moved to the Trash {p.trashedAt ? formatRelativeTime(p.trashedAt) : ''} · {formatBytes(p.sizeBytes)}
              </span>
            </div>
            <Button icon="restore" disabledReason={readOnly} aria-label={`Restore ${p.name}`} onClick={() => void useProjects.getState().restore(p.id)}>
              Restore
            </Button>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <section className="view trash-view" aria-label="Trash">
      <div className="view-toolbar">
        <div className="view-title">
          <h1>Trash</h1>
          <span className="view-count">{state.loaded ? `${plural(sorted.length, 'project')} · ${formatBytes(totalBytes)}` : ''}</span>
        </div>
        <div className="view-toolbar-controls">
          <Button
            variant="danger"
            icon="trash"
            disabledReason={readOnly ?? (emptying ? 'The Trash is being emptied.' : sorted.length === 0 ? 'The Trash is already empty.' : null)}
            onClick={() => openModal({ kind: 'emptyTrash' })}
          >
            Empty Trash…
          </Button>
        </div>
      </div>
      {emptying && (
        <div className="inline-progress" role="status">
          <span>
            Emptying the Trash… {emptying.progress.stage} {formatPercent(emptying.progress.fraction)}
          </span>
          <ProgressBar fraction={emptying.status === 'queued' ? null : emptying.progress.fraction} label="Emptying the Trash" />
        </div>
      )}
      {state.loaded && state.error && (
        <p className="inline-error" role="alert">
          Could not refresh the Trash: {state.error.message}
        </p>
      )}
      <div className="view-body">{content}</div>
    </section>
  );
}

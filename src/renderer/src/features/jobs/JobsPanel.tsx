import { useMemo } from 'react';
import { Button } from '../../components/Button';
import { useReadOnlyReason } from '../../store/connection';
import { sortJobs, useJobs } from '../../store/jobs';
import { usePanels } from '../../store/panels';
import { JobRow } from './JobRow';

/** The side drawer listing every job, live from `job.updated`. */
export function JobsPanel() {
  const open = usePanels((s) => s.jobsOpen);
  const setOpen = usePanels((s) => s.setJobsOpen);
  const jobsById = useJobs((s) => s.jobs);
  const error = useJobs((s) => s.error);
  const readOnly = useReadOnlyReason();
  const jobs = useMemo(() => sortJobs(Object.values(jobsById)), [jobsById]);
  const hasCompleted = jobs.some((j) => j.status === 'completed');
  if (!open) return null;
  return (
    <aside
      className="jobs-panel"
      aria-label="Jobs"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
          document.querySelector<HTMLElement>('.topbar-jobs')?.focus();
        }
      }}
    >
      <header className="jobs-panel-header">
        <h2>Jobs</h2>
        <div className="jobs-panel-tools">
          {hasCompleted && (
            <Button size="sm" variant="ghost" disabledReason={readOnly} onClick={() => void useJobs.getState().dismissFinished()}>
              Clear finished
            </Button>
          )}
          <Button size="sm" variant="ghost" icon="close" iconOnly label="Close the Jobs panel" onClick={() => setOpen(false)} />
        </div>
      </header>
      {error && (
        <p className="inline-error" role="alert">
          {error.message}
        </p>
      )}
      {jobs.length === 0 ? (
        <p className="jobs-empty">No jobs right now. Long work such as duplicating a project or emptying the Trash shows its progress here, and keeps going while you work.</p>
      ) : (
        <ul className="jobs-list" aria-label="Job list">
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} />
          ))}
        </ul>
      )}
    </aside>
  );
}

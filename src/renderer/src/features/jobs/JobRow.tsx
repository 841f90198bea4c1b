import type { Job } from '@shared/model/job';
import { Button } from '../../components/Button';
import { ProgressBar } from '../../components/ProgressBar';
import { formatRelativeTime } from '../../lib/format';
import { useReadOnlyReason } from '../../store/connection';
import { isActive, isResumable, useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';
import { STATUS_LABEL, endedText, kindLabel, progressText } from './jobLabels';
import { canPause, pauseJob } from './pause';
import './jobs-status.css';

/** One job: what it is, where it is, and what can be done with it (Pause, Cancel, Resume, Dismiss). */
export function JobRow({ job }: { job: Job }) {
  const readOnly = useReadOnlyReason();
  const { cancel, resume, dismiss } = useJobs.getState();
  const active = isActive(job);
  const tone = job.status === 'completed' ? 'success' : job.status === 'failed' ? 'danger' : active ? 'accent' : 'muted';
  const ended = endedText(job);
  const preview = job.progress.preview && job.projectId ? studio().assetUrl(job.projectId, job.progress.preview) : null;

  return (
    <li className={`job job-${job.status}`} aria-label={`${job.title}: ${STATUS_LABEL[job.status]}`}>
      <div className="job-head">
        <div className="job-titles">
          <span className="job-title">{job.title}</span>
          <span className="job-kind">{kindLabel(job.kind)}</span>
        </div>
        <span className={`status-chip status-${job.status}`}>{STATUS_LABEL[job.status]}</span>
      </div>
      {preview && (
        <img className="job-preview" src={preview} alt={`Preview of ${job.title}`} onError={(e) => (e.currentTarget.hidden = true)} />
      )}
      <ProgressBar
        fraction={job.status === 'queued' ? null : job.status === 'completed' ? 1 : job.progress.fraction}
        label={`Progress of ${job.title}`}
        tone={tone}
      />
      <div className="job-detail">
        {active && <span>{job.status === 'queued' ? 'Waiting for other jobs to finish' : progressText(job)}</span>}
        {job.status === 'completed' && <span>Finished {job.finishedAt ? formatRelativeTime(job.finishedAt) : ''}</span>}
        {ended && <span className={job.status === 'failed' ? 'job-error' : undefined}>{ended}</span>}
      </div>
      <div className="job-actions">
        {canPause(job) && (
          <Button size="sm" icon="pause" disabledReason={readOnly} aria-label={`Pause ${job.title}`} title="Stop at a checkpoint; Resume continues from it" onClick={() => void pauseJob(job.id)}>
            Pause
          </Button>
        )}
        {(active || job.status === 'paused') && (
          <Button size="sm" icon="stop" disabledReason={readOnly} aria-label={`Cancel ${job.title}`} onClick={() => void cancel(job.id)}>
            Cancel
          </Button>
        )}
        {isResumable(job) && (
          <Button size="sm" variant="primary" icon="play" disabledReason={readOnly} aria-label={`Resume ${job.title}`} onClick={() => void resume(job.id)}>
            Resume
          </Button>
        )}
        {!active && job.status !== 'paused' && (
          <Button size="sm" variant="ghost" disabledReason={readOnly} aria-label={`Dismiss ${job.title}`} onClick={() => void dismiss(job.id)}>
            Dismiss
          </Button>
        )}
      </div>
    </li>
  );
}

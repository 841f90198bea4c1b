import type { Job } from '@shared/model/job';
import { Button } from '../../components/Button';
import { ProgressBar } from '../../components/ProgressBar';
import { formatEta } from '../../lib/format';
import { isActive, isResumable, useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';
import { STATUS_LABEL, endedText } from '../jobs/jobLabels';
import { canPause, pauseJob } from '../jobs/pause';
import { TrainingChart } from './TrainingChart';
import { formatDb, formatLoss, formatPerStep, formatSsim } from './trainingText';
import { usePreloadedSrc } from './useTrainingData';

/**
 * A training job, live: progress bar, iteration, loss, validation PSNR/SSIM, Gaussians, speed, ETA, the latest
 * preview (ground truth | render of the validation frame), and Pause / Resume / Cancel.
 */
export function TrainingJobCard({ job, readOnly, captureName }: { job: Job; readOnly: string | null; captureName: string | null }) {
  const t = job.progress.training;
  const src = job.progress.preview && job.projectId ? studio().assetUrl(job.projectId, job.progress.preview) : null;
  const preview = usePreloadedSrc(src);
  const active = isActive(job);
  const ended = endedText(job);
  const eta = job.status === 'running' ? formatEta(job.progress.etaSeconds) : null;
  const { cancel, resume } = useJobs.getState();
  const figures: [string, string, string?][] = t
    ? [
        ['Iteration', `${t.step.toLocaleString()} / ${t.steps.toLocaleString()}`],
        ['Loss', formatLoss(t.loss), 'L1 + λ·D-SSIM of the latest step'],
        [
          t.validation === 'train' ? 'PSNR (train frame)' : 'PSNR (test frame)',
          formatDb(t.psnr),
          t.validatedAt !== null ? `Validation frame at step ${t.validatedAt.toLocaleString()}${t.validation === 'train' ? ' — the capture has no test frames, so this frame is also trained on' : ''}` : undefined,
        ],
        ['SSIM', formatSsim(t.ssim)],
        ['Gaussians', t.gaussians.toLocaleString()],
        ['Speed', formatPerStep(t.secondsPerStep)],
        ['Saved', t.checkpointStep ? `step ${t.checkpointStep.toLocaleString()}` : '—', 'Last checkpoint on disk: where a resume continues'],
      ]
    : [];

  return (
    <article className={`training-card job-${job.status}`} aria-label={`Training on ${captureName ?? 'a capture'}: ${STATUS_LABEL[job.status]}`} data-testid="training-card">
      <header className="training-card-head">
        <div>
          <h3>{captureName ? `Training on “${captureName}”` : job.title}</h3>
          <span className="muted">{job.progress.stage}</span>
        </div>
        <span className={`status-chip status-${job.status}`}>{STATUS_LABEL[job.status]}</span>
      </header>
      <ProgressBar fraction={job.status === 'queued' ? null : job.progress.fraction} label={`Progress of ${job.title}`} tone={job.status === 'failed' ? 'danger' : active ? 'accent' : 'muted'} />
      <div className="training-card-body">
        <figure className="training-preview">
          {preview ? (
            <img src={preview} alt={`Live preview at step ${t?.validatedAt ?? 0}: ground truth left, render right`} data-testid="training-preview" />
          ) : (
            <div className="training-preview-empty muted">The preview appears after the first validation.</div>
          )}
          <figcaption className="muted">
            <span>Ground truth</span>
            <span>Render{t?.validatedAt != null ? ` · step ${t.validatedAt.toLocaleString()}` : ''}</span>
          </figcaption>
        </figure>
        <dl className="training-figures">
          {figures.map(([k, v, title]) => (
            <div key={k} title={title}>
              <dt>{k}</dt>
              <dd data-testid={`training-${k.split(' ')[0]!.toLowerCase()}`}>{v}</dd>
            </div>
          ))}
          {eta && (
            <div>
              <dt>Left</dt>
              <dd>{eta}</dd>
            </div>
          )}
        </dl>
      </div>
      <TrainingChart job={job} />
      {ended && <p className={job.status === 'failed' ? 'job-error' : 'muted'}>{ended}</p>}
      <div className="job-actions">
        {canPause(job) && (
          <Button size="sm" icon="pause" disabledReason={readOnly} title="Stop at a checkpoint; Resume continues from it (Shift+P)" onClick={() => void pauseJob(job.id)}>
            Pause
          </Button>
        )}
        {isResumable(job) && (
          <Button size="sm" variant="primary" icon="play" disabledReason={readOnly} title="Continue from the last checkpoint (Shift+P)" onClick={() => void resume(job.id)}>
            Resume
          </Button>
        )}
        <Button size="sm" variant="danger" icon="stop" disabledReason={readOnly} title="Stop and discard this run’s partial avatar" onClick={() => void cancel(job.id)}>
          {active || job.status === 'paused' ? 'Cancel' : 'Discard'}
        </Button>
      </div>
    </article>
  );
}

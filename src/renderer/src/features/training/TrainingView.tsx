import { useCallback, useMemo } from 'react';
import type { Project } from '@shared/model/project';
import { useReadOnlyReason } from '../../store/connection';
import { isActive, isResumable, useJobs } from '../../store/jobs';
import { navigate } from '../../store/route';
import { pauseJob } from '../jobs/pause';
import { useShortcut } from '../shortcuts/useShortcut';
import { AvatarRuns } from './AvatarRuns';
import { ImportAvatarButton } from '../export/ImportAvatarButton';
import { StartPanel } from './StartPanel';
import { TrainingJobCard } from './TrainingJobCard';
import { TrainingReportView } from './TrainingReportView';
import { useAvatars, useProjectCaptures, useReport, useTrackingSummaries, useTrainingJobs } from './useTrainingData';
import './training.css';

/**
 * The Avatar section: start a training run (preset + advanced settings), follow running ones live (figures, preview,
 * Pause / Resume / Cancel), the trained avatars with their metrics, and an avatar's evaluation report.
 */
export function TrainingView({ project, reportAvatarId }: { project: Project; reportAvatarId?: string }) {
  const readOnly = useReadOnlyReason() ?? (project.trashedAt !== null ? 'Restore the project to train in it.' : null);
  const { captures } = useProjectCaptures(project.id);
  const summaries = useTrackingSummaries(project.id, captures);
  const jobs = useTrainingJobs(project.id);
  const { avatars, error, reload: reloadAvatars } = useAvatars(project.id);
  const { report, error: reportError } = useReport(reportAvatarId);
  const busy = useMemo(() => new Set(jobs.filter((j) => isActive(j)).map((j) => j.captureId ?? '')), [jobs]);
  const closeReport = useCallback(() => navigate({ name: 'project', id: project.id, section: 'training' }), [project.id]);

  // Shift+P: pause the newest running training, else resume the newest paused one.
  useShortcut(
    'trainingPause',
    () => {
      const running = jobs.find((j) => isActive(j));
      if (running) return void pauseJob(running.id);
      const paused = jobs.find((j) => isResumable(j));
      if (paused) void useJobs.getState().resume(paused.id);
    },
    readOnly === null && jobs.length > 0,
  );

  return (
    <div className="training-view">
      <StartPanel captures={captures} summaries={summaries} readOnly={readOnly} busyCaptureIds={busy} />
      <div className="training-main">
        {jobs.length > 0 && (
          <section aria-labelledby="training-live-title" className="training-live">
            <h2 id="training-live-title" className="section-title">
              Training now
            </h2>
            {jobs.map((j) => (
              <TrainingJobCard key={j.id} job={j} readOnly={readOnly} captureName={captures.find((c) => c.id === j.captureId)?.name ?? null} />
            ))}
          </section>
        )}
        {reportAvatarId &&
          (report ? (
            <TrainingReportView report={report} avatar={avatars.find((a) => a.id === reportAvatarId) ?? null} captures={captures} onClose={closeReport} />
          ) : reportError ? (
            <p className="banner banner-warning" role="alert">
              Could not open the report: {reportError.message}
            </p>
          ) : (
            <p className="loading" role="status">
              Opening the report…
            </p>
          ))}
        <section aria-labelledby="training-avatars-title">
          <div className="section-title-row">
            <h2 id="training-avatars-title" className="section-title">
              Trained avatars
            </h2>
            <ImportAvatarButton projectId={project.id} onImported={reloadAvatars} />
          </div>
          {error && <p className="inline-error">{error.message}</p>}
          <AvatarRuns projectId={project.id} avatars={avatars} captures={captures} selected={reportAvatarId} />
        </section>
      </div>
    </div>
  );
}

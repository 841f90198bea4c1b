import type { Capture } from '@shared/model/capture';
import type { Project } from '@shared/model/project';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { plural } from '../../lib/format';
import { useReadOnlyReason } from '../../store/connection';
import { useJobs } from '../../store/jobs';
import { navigate } from '../../store/route';
import { trackingJobFor, useTracking } from '../../store/tracking';
import { useProjectCaptures, useTrackingSummaries } from '../training/useTrainingData';
import { PickList } from './PickList';
import { captureTrackingText } from './sectionPages';

/**
 * The Tracking page: the project's captures with where each stands (not tracked, tracking… %, tracked N of M frames
 * with the mean fit error, failed), Track faces / Track again, and Open timeline (the Footage review, where the
 * tracking results are inspected frame by frame). Without captures: import footage first.
 */
export function TrackingPage({ project }: { project: Project }) {
  const readOnly = useReadOnlyReason() ?? (project.trashedAt !== null ? 'Restore the project to track in it.' : null);
  const { captures, loaded } = useProjectCaptures(project.id);
  const summaries = useTrackingSummaries(project.id, captures);
  const jobs = useJobs((s) => s.jobs);
  const jobOf = useTracking((s) => s.jobOf);

  const openTimeline = (c: Capture) => navigate({ name: 'project', id: project.id, section: 'footage', captureId: c.id });

  return (
    <section className="section-page" aria-labelledby="section-page-tracking" data-page="tracking">
      <header className="section-page-head">
        <h2 id="section-page-tracking" className="section-title">
          Tracking
        </h2>
        <p className="muted">
          Tracking finds the face in every frame of a capture — 478 landmarks, the iris and a mask — and fits the head model to each; an avatar trains on a tracked capture. Open the
          timeline to check the result frame by frame and leave badly tracked frames out.
        </p>
      </header>
      {!loaded ? (
        <p className="loading" role="status">
          Loading the captures…
        </p>
      ) : captures.length === 0 ? (
        <EmptyState
          icon="target"
          title="Nothing to track yet"
          actions={
            <Button variant="primary" icon="film" onClick={() => navigate({ name: 'project', id: project.id, section: 'footage' })}>
              Import footage
            </Button>
          }
        >
          <p>Tracking works on footage of one person. Import a video or photos in the Footage section first.</p>
        </EmptyState>
      ) : (
        <PickList
          items={captures}
          label="Captures to track"
          renderRow={(c, primary) => {
            const summary = c.id in summaries ? summaries[c.id] : undefined;
            const job = trackingJobFor(c, jobs, jobOf[c.id]);
            const state = captureTrackingText(summary, job);
            const running = state.state === 'running';
            return (
              <>
                <span className="pick-text">
                  <span className="pick-title">{c.name}</span>
                  <span className="pick-detail muted">
                    {plural(c.frameCount, 'frame')}
                    {c.cameras.length > 1 ? ` × ${c.cameras.length} views` : ''}
                  </span>
                  <span className={`pick-state pick-state-${state.state}`} data-state={state.state} data-testid="capture-tracking-state">
                    {state.text}
                  </span>
                  {running && job && <ProgressBar fraction={job.status === 'queued' ? null : job.progress.fraction} label={`Tracking ${c.name}`} />}
                </span>
                <span className="pick-actions">
                  <Button
                    size="sm"
                    icon="target"
                    aria-label={`${summary ? 'Track again' : 'Track faces'}: ${c.name}`}
                    disabledReason={readOnly ?? (running ? 'Tracking is running for this capture.' : c.frameCount === 0 ? 'This capture has no frames.' : null)}
                    onClick={() => void useTracking.getState().start(c, summary?.pick ?? undefined)}
                  >
                    {summary ? 'Track again' : 'Track faces'}
                  </Button>
                  <Button size="sm" variant="primary" icon="film" aria-label={`Open the timeline of ${c.name}`} onClick={() => openTimeline(c)} {...primary}>
                    Open timeline
                  </Button>
                </span>
              </>
            );
          }}
        />
      )}
    </section>
  );
}

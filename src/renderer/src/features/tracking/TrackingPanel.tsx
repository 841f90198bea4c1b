import { useMemo, useState } from 'react';
import type { Capture } from '@shared/model/capture';
import { Button } from '../../components/Button';
import { formatRelativeTime, plural } from '../../lib/format';
import { useCaptures } from '../../store/captures';
import { isActive, useJobs } from '../../store/jobs';
import { trackingJobFor, useTracking } from '../../store/tracking';
import { toast } from '../../store/toasts';
import { useTimeline } from '../capture/timelineStore';
import { JobRow } from '../jobs/JobRow';
import { badlyTracked, firstFrameWith } from './frames';
import { FIT_LIMIT_PX, formatPx, REASON_LABEL, reasonText, WARNING_LABEL, warningText } from './trackingText';
import { useTrackingKeys, useTrackingSync } from './useTracking';
import './tracking.css';

/**
 * The Tracking section of the review's side panel: Track faces (inline job with progress, ETA and Cancel), then
 * what tracking found — tracked frames, mean fit error, untracked frames by reason and warnings in plain words —
 * and “Exclude badly tracked frames”.
 */
export function TrackingPanel({ capture, readOnly }: { capture: Capture; readOnly: string | null }) {
  useTrackingSync(capture);
  const tracking = useTracking((s) => s.byCapture[capture.id]);
  const jobOf = useTracking((s) => s.jobOf[capture.id]);
  const job = useJobs((s) => trackingJobFor(capture, s.jobs, jobOf));
  const splits = useCaptures((s) => s.frames[capture.id]?.splits);
  const running = job !== null && isActive(job);
  const summary = tracking?.summary ?? null;
  const bad = useMemo(() => badlyTracked(tracking, splits), [tracking, splits]);

  const [refine, setRefine] = useState(false);
  const track = () => {
    if (readOnly !== null) return void toast.error(readOnly);
    if (running) return void toast.info('Tracking is already running for this capture.');
    // Tracking again keeps the face the user picked for the last run.
    void useTracking.getState().start(capture, summary?.pick ?? undefined, { photometricRefine: refine });
  };
  const exclude = () => {
    if (readOnly !== null) return void toast.error(readOnly);
    if (!summary) return void toast.info('Track the faces first: then frames without a face or with a poor fit can be excluded.');
    void useCaptures.getState().excludeBadlyTracked(capture.id, FIT_LIMIT_PX);
  };
  useTrackingKeys({ track, exclude }, capture.frameCount > 0);

  const showJob = job !== null && job.status !== 'completed';
  const severalAt = summary?.warnings['several-faces'] && tracking ? firstFrameWith(tracking, (n) => n > 1) : null;
  const picked = summary?.pick != null;
  const untracked = Object.entries(summary?.untracked ?? {}).filter(([, n]) => n > 0);
  const warnings = Object.entries(summary?.warnings ?? {}).filter(([, n]) => n > 0);

  return (
    <section aria-label="Tracking" className="tracking-panel">
      <h3>Tracking</h3>
      {!summary && !running && (
        <p className="muted tracking-intro">
          Finds the face in every frame — 478 landmarks, the iris and a mask — and fits the head model to each, for training the avatar.
        </p>
      )}
      {tracking?.error && <p className="banner banner-warning">Could not read the tracking results: {tracking.error.message}</p>}

      {showJob && (
        <ul className="jobs-list tracking-job">
          <JobRow job={job} />
        </ul>
      )}

      {summary && (
        <div className="tracking-summary" data-testid="tracking-summary">
          <p className="tracking-headline">
            Tracked <strong data-testid="tracking-tracked">{summary.tracked.toLocaleString()}</strong> of {plural(summary.frames, 'frame')}
            {summary.frames > 0 && summary.tracked < summary.frames && <span className="muted"> ({Math.round((summary.tracked / summary.frames) * 100)}%)</span>}
          </p>
          <dl className="capture-facts">
            <div>
              <dt>Mean fit error</dt>
              <dd>
                <span className={summary.meanFitErrorPx !== null && summary.meanFitErrorPx > FIT_LIMIT_PX ? 'quality-blurry' : undefined}>{formatPx(summary.meanFitErrorPx)}</span>
                {summary.meanFitErrorPx === null && <span className="muted"> not fitted</span>}
              </dd>
            </div>
            <div>
              <dt>Head model</dt>
              <dd>{summary.headModel === 'none' ? <span className="muted">not fitted</span> : summary.headModel}</dd>
            </div>
            <div>
              <dt>Tracked</dt>
              <dd>{formatRelativeTime(summary.trackedAt)}</dd>
            </div>
          </dl>
          {summary.tracked === 0 && summary.frames > 0 && (
            <p className="banner banner-warning">No face was tracked in any frame. Check that the footage shows a face, lit and in focus.</p>
          )}
          {(untracked.length > 0 || warnings.length > 0) && (
            <ul className="tracking-notes">
              {untracked.map(([reason, n]) => (
                <li key={reason} className="tracking-note is-untracked" data-reason={reason}>
                  <span className={`swatch swatch-face-${reason}`} aria-hidden="true" />
                  <span>
                    <strong>{REASON_LABEL[reason as keyof typeof REASON_LABEL] ?? reason}.</strong> {reasonText(reason, n)}
                  </span>
                </li>
              ))}
              {warnings.map(([w, n]) => (
                <li key={w} className="tracking-note" data-warning={w}>
                  <span className="swatch swatch-face-warned" aria-hidden="true" />
                  <span>
                    <strong>{WARNING_LABEL[w as keyof typeof WARNING_LABEL] ?? w}.</strong> {warningText(w, n, picked)}
                    {w === 'several-faces' && severalAt !== null && (
                      <>
                        {' '}
                        <button type="button" className="link-button" onClick={() => useTimeline.getState().seek(severalAt)}>
                          Go to frame {severalAt}
                        </button>
                      </>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <label className="tracking-option" title="After the landmark fit, refine each frame's head pose, expression and jaw by matching renders of the head to the frame through the GPU engine (seconds per frame on a CPU adapter)">
        <input type="checkbox" checked={refine} disabled={running} onChange={(e) => setRefine(e.target.checked)} /> Refine poses and expressions photometrically (slower)
      </label>
      <div className="tracking-actions">
        <Button
          variant={summary ? 'secondary' : 'primary'}
          icon="target"
          busy={running}
          disabledReason={readOnly ?? (running ? 'Tracking is running: see its progress above.' : null)}
          title={`${summary ? (picked ? 'Track the faces again, following the face you picked, replacing these results' : 'Track the faces again, replacing these results') : 'Track the faces in every frame'} (Shift+F)`}
          onClick={track}
        >
          {summary ? 'Track again' : 'Track faces'}
        </Button>
        {summary && (
          <Button
            icon="ban"
            disabledReason={readOnly ?? (running ? 'Wait for tracking to finish.' : bad === 0 ? `Every kept frame has a face and fits within ${FIT_LIMIT_PX} px.` : null)}
            title={`Exclude ${plural(bad, 'frame')} without a face or with a fit error over ${FIT_LIMIT_PX} px (Shift+X)`}
            onClick={exclude}
            data-testid="exclude-badly-tracked"
          >
            Exclude badly tracked frames{bad > 0 ? ` (${bad.toLocaleString()})` : ''}
          </Button>
        )}
      </div>
    </section>
  );
}

/** Legend entries for the Face and Fit rows, inside the Quality section's legend. */
export function TrackingLegend({ captureId }: { captureId: string }) {
  const tracked = useTracking((s) => Boolean(s.byCapture[captureId]?.summary));
  if (!tracked) return null;
  return (
    <>
      <div>
        <dt>
          <span className="swatch swatch-face-tracked" />
          <span className="swatch swatch-face-warned" />
        </dt>
        <dd>Face: tracked (bar height is the confidence; amber cap: a warning)</dd>
      </div>
      <div>
        <dt>
          <span className="swatch swatch-face-no-face" />
          <span className="swatch swatch-face-low-confidence" />
          <span className="swatch swatch-face-too-dark" />
          <span className="swatch swatch-face-decode-failed" />
        </dt>
        <dd>Face not tracked: no face · not confirmed · too dark · unreadable</dd>
      </div>
      <div>
        <dt>
          <span className="swatch swatch-fit-good" />
          <span className="swatch swatch-fit-fair" />
          <span className="swatch swatch-fit-bad" />
        </dt>
        <dd>Fit: head model fit error (the dashed line is the {FIT_LIMIT_PX} px exclude limit)</dd>
      </div>
    </>
  );
}

/** The current frame's tracking, in the preview's info bar. */
export function TrackingFrameInfo({ captureId, cameraId, idx }: { captureId: string; cameraId: string; idx: number }) {
  const has = useTracking((s) => Boolean(s.byCapture[captureId]?.summary));
  const f = useTracking((s) => s.byCapture[captureId]?.byCamera[cameraId]?.[idx]);
  if (!has) return null;
  const text = !f ? 'No result' : f.tracked ? 'Tracked' : (REASON_LABEL[f.reason ?? 'no-face'] ?? 'Not tracked');
  const tone = !f || !f.tracked ? 'quality-blurry' : f.fitErrorPx !== null && f.fitErrorPx > FIT_LIMIT_PX ? 'quality-soft' : 'quality-sharp';
  return (
    <div>
      <dt>Face</dt>
      <dd className={tone} data-testid="current-face">
        {text}
        {f?.tracked && <span className="muted"> · {Math.round(f.confidence * 100)}%</span>}
        {f?.fitErrorPx !== null && f?.fitErrorPx !== undefined && <span className="muted"> · fit {formatPx(f.fitErrorPx)}</span>}
        {f && f.faces.length > 1 && <span className="muted"> · {f.faces.length} faces</span>}
      </dd>
    </div>
  );
}

/** Toggles for the preview overlay, floating in the preview's corner once the capture is tracked. */
export function OverlayToggles({ captureId }: { captureId: string }) {
  const tracked = useTracking((s) => Boolean(s.byCapture[captureId]?.summary));
  const showMesh = useTracking((s) => s.showMesh);
  const showLandmarks = useTracking((s) => s.showLandmarks);
  if (!tracked) return null;
  return (
    <div className="overlay-toggles" role="group" aria-label="Overlay">
      <button type="button" className={`overlay-toggle${showMesh ? ' is-on' : ''}`} aria-pressed={showMesh} title="Show the tracked mesh over the preview (M)" onClick={() => useTracking.getState().setShowMesh(!showMesh)}>
        Mesh <kbd>M</kbd>
      </button>
      <button
        type="button"
        className={`overlay-toggle${showLandmarks ? ' is-on' : ''}`}
        aria-pressed={showLandmarks}
        title="Show the 478 landmarks over the preview (P)"
        onClick={() => useTracking.getState().setShowLandmarks(!showLandmarks)}
      >
        Landmarks <kbd>P</kbd>
      </button>
    </div>
  );
}

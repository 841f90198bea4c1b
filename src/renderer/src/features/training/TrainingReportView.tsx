import { useEffect, useRef, useState } from 'react';
import type { Avatar, TrainingReport } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import { Button } from '../../components/Button';
import { avatarTitle } from '../../lib/avatarText';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';
import { formatDb, formatDuration, formatSsim, OVERRIDE_FIELDS, PRESET_LABEL } from './trainingText';
import { ReportImageLightbox } from './ReportImageLightbox';
import { REPORT_IMAGE_KINDS, type ReportImageKind } from './reportImages';

/**
 * An avatar's evaluation: the means, how it was evaluated (test frames or a held-out camera), the run's settings,
 * one row per evaluated frame (↑/↓ move), and the selected frame's ground truth / render / error images side by side.
 * A texture edit (Apply) has no run of its own: its report says so and links to the edited version's.
 */
export function TrainingReportView({ report, avatar, captures, onClose }: { report: TrainingReport; avatar: Avatar | null; captures: Capture[]; onClose(): void }) {
  const [sel, setSel] = useState(0);
  /** The image shown large (click or Enter on one), or null. */
  const [enlarged, setEnlarged] = useState<ReportImageKind | null>(null);
  const listRef = useRef<HTMLTableSectionElement>(null);
  const frames = report.perFrame;
  const frame = frames[Math.min(sel, frames.length - 1)] ?? null;
  const capture = captures.find((c) => c.id === avatar?.captureId) ?? null;
  const cameraName = (id: string | null) => capture?.cameras.find((c) => c.id === id)?.name ?? (id ? id.split(':').at(-1)! : '—');
  const url = (rel: string) => (avatar ? studio().assetUrl(avatar.projectId, rel) : '');

  useEffect(() => {
    setSel(0);
    setEnlarged(null);
  }, [report.avatarId]);
  // Escape closes the report before the project's Escape (back to the library) sees it — unless a dialog (the
  // enlarged image) is open, whose own Esc closes it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open], [role="dialog"]')) {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [onClose]);
  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-row="${sel}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [sel]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setSel((s) => Math.max(0, Math.min(frames.length - 1, s + (e.key === 'ArrowDown' ? 1 : -1))));
    }
  };
  const c = report.config;
  const masked = frames.map((f) => f.maskedPsnr).filter((v): v is number => v !== null && Number.isFinite(v));
  const meanMasked = report.headMattePsnr ?? (masked.length ? masked.reduce((a, b) => a + b, 0) / masked.length : null);
  const cropped = report.metricsOver === 'head crop';
  // Runs that fitted their test frames' heads say so beside the headline (the tracked figures have their own card).
  const over = (cropped ? ', head crop' : '') + (report.trackedMetrics ? ', fitted' : '');
  const severalCameras = new Set(frames.map((f) => f.cameraId)).size > 1 || report.evaluation === 'camera';
  const edit = report.origin === 'texture';
  const describeFrame = (f: (typeof frames)[number]) => `Frame ${f.idx}${severalCameras ? ` of camera ${cameraName(f.cameraId)}` : ''}`;
  const frameFigures = (f: (typeof frames)[number]) =>
    `${cropped ? `${formatDb(f.cropPsnr)} / SSIM ${formatSsim(f.cropSsim)} over the head crop, ${formatDb(f.psnr)} over the frame` : `${formatDb(f.psnr)} · SSIM ${formatSsim(f.ssim)}`} (${formatDb(f.maskedPsnr)} over the head matte)`;
  const parent = edit && report.parentVersion !== null ? `v${report.parentVersion}` : 'the edited version';

  return (
    <section className="training-report" aria-labelledby="training-report-title">
      <header className="training-report-head">
        <div>
          <h2 id="training-report-title" className="section-title">
            Report: {avatar ? avatarTitle(avatar) : 'avatar'}
          </h2>
          {edit ? (
            <p className="muted" data-testid="report-origin">
              A texture edit of {parent}: its Gaussians are {parent}’s, recoloured (and added to) under the edits. It was not evaluated, so it has no figures of its own; the preset, steps and training frames below are {parent}’s run’s.{' '}
              {avatar?.parentId && (
                <Button size="sm" variant="ghost" onClick={() => navigate({ name: 'project', id: avatar.projectId, section: 'training', avatarId: avatar.parentId! })}>
                  Report of {parent}
                </Button>
              )}
            </p>
          ) : (
            <p className="muted">
              {report.evaluation === 'camera' ? `Novel view: every frame of camera ${cameraName(report.holdOutCamera)}, which was held out of training.` : 'The capture’s test frames, held out of training.'}
            </p>
          )}
        </div>
        <Button size="sm" variant="ghost" icon="close" title="Close the report (Esc)" onClick={onClose}>
          Close
        </Button>
      </header>
      <dl className="stat-grid training-report-stats">
        <div className="stat" title={cropped ? 'Over a square crop around the head, as published head-avatar results are measured: background far from the head does not count' : 'Over the whole frame'}>
          <dt>PSNR{over}</dt>
          <dd data-testid="report-psnr">{formatDb(report.metrics?.psnr)}</dd>
        </div>
        <div className="stat">
          <dt>SSIM{over}</dt>
          <dd>{formatSsim(report.metrics?.ssim)}</dd>
        </div>
        <div className="stat" title="PSNR over the head matte only: the region the avatar learns">
          <dt>PSNR, head matte</dt>
          <dd data-testid="report-head-psnr">{formatDb(meanMasked)}</dd>
        </div>
        {report.fullFrame && (
          <div className="stat" title="PSNR / SSIM over the whole frame">
            <dt>Whole frame</dt>
            <dd data-testid="report-full-psnr">
              {formatDb(report.fullFrame.psnr)} · {formatSsim(report.fullFrame.ssim)}
            </dd>
          </div>
        )}
        {report.trackedMetrics && (
          <div className="stat" title="The same figures before test-time fitting: each test frame rendered with the head pose and expression the tracker found, not refitted to its image">
            <dt>Before test-time fit</dt>
            <dd data-testid="report-tracked-psnr">
              {formatDb(report.trackedMetrics.psnr)} · {formatSsim(report.trackedMetrics.ssim)}
            </dd>
          </div>
        )}
        <div className="stat">
          <dt>Frames</dt>
          <dd>
            {report.trainFrames ?? '—'} train · {frames.length} evaluated
          </dd>
        </div>
        <div className="stat">
          <dt>Run</dt>
          <dd>
            {report.preset ? PRESET_LABEL[report.preset] : '—'} · {report.steps?.toLocaleString() ?? '—'} steps · {formatDuration(report.seconds)}
          </dd>
        </div>
      </dl>
      {report.skippedFrames ? <p className="muted">{report.skippedFrames.toLocaleString()} frames were skipped (no tracking, or another image size).</p> : null}
      {c && (
        <details className="training-config">
          <summary>Settings of this run</summary>
          <dl>
            {Object.entries(c).map(([k, v]) => (
              <div key={k} title={k}>
                <dt>{OVERRIDE_FIELDS.find((f) => f.key === k)?.label ?? (k === 'background' ? 'Background' : k)}</dt>
                <dd className="mono">{String(v)}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      {frames.length === 0 ? (
        edit ? null : <p className="muted">This run had no frames to evaluate: mark some frames as test in the Footage review, then train again.</p>
      ) : (
        <div className="training-report-body">
          <div className="training-report-list" tabIndex={0} role="grid" aria-label="Evaluated frames" aria-activedescendant={`report-row-${sel}`} onKeyDown={onKeyDown}>
            <table className="training-table">
              <thead>
                <tr>
                  <th scope="col" className="num">Frame</th>
                  {severalCameras && <th scope="col">Camera</th>}
                  {cropped && <th scope="col" className="num" title="PSNR over the square crop around the head">Crop</th>}
                  {cropped && <th scope="col" className="num" title="SSIM over the square crop around the head">SSIM</th>}
                  <th scope="col" className="num" title="PSNR over the whole frame">Whole</th>
                  <th scope="col" className="num" title="PSNR over the head matte">Matte</th>
                  {!cropped && <th scope="col" className="num">SSIM</th>}
                </tr>
              </thead>
              <tbody ref={listRef}>
                {frames.map((f, i) => (
                  <tr key={`${f.cameraId}-${f.idx}`} id={`report-row-${i}`} data-row={i} className={i === sel ? 'is-selected' : undefined} aria-selected={i === sel} onClick={() => setSel(i)}>
                    <td className="num">{f.idx}</td>
                    {severalCameras && <td>{cameraName(f.cameraId)}</td>}
                    {cropped && <td className="num">{formatDb(f.cropPsnr)}</td>}
                    {cropped && <td className="num">{formatSsim(f.cropSsim)}</td>}
                    <td className="num">{formatDb(f.psnr)}</td>
                    <td className="num">{formatDb(f.maskedPsnr)}</td>
                    {!cropped && <td className="num">{formatSsim(f.ssim)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {frame && (
            <div className="training-report-images" aria-label={`Frame ${frame.idx}`}>
              {frame.images ? (
                REPORT_IMAGE_KINDS.map(({ key, label }, i) => (
                  <figure key={key}>
                    <button type="button" className="training-report-image" title={`${label}: click or Enter to enlarge`} aria-label={`Enlarge ${label.toLowerCase()} of frame ${frame.idx}`} onClick={() => setEnlarged(i as ReportImageKind)}>
                      <img src={url(frame.images![key])} alt={`${label} of frame ${frame.idx}`} />
                    </button>
                    <figcaption>{label}</figcaption>
                  </figure>
                ))
              ) : (
                <p className="muted">This run was recorded before the studio kept evaluation images.</p>
              )}
              <p className="training-report-caption muted">
                {describeFrame(frame)} · {frameFigures(frame)}. The error is the mean absolute colour difference, ×4, black (none) to white.{frame.images ? ' Click an image to see it large.' : ''}
              </p>
            </div>
          )}
        </div>
      )}
      {enlarged !== null && frame?.images && (
        <ReportImageLightbox
          frames={frames}
          sel={Math.min(sel, frames.length - 1)}
          kind={enlarged}
          url={url}
          describe={describeFrame}
          figures={frameFigures}
          onChange={(s, k) => {
            setSel(s);
            setEnlarged(k);
          }}
          onClose={() => setEnlarged(null)}
        />
      )}
    </section>
  );
}

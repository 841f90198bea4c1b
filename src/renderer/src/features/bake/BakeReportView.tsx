import type { BakeSummary } from '@shared/model/bake';
import { studio } from '../../store/studio';
import { formatDuration, formatSsim } from '../training/trainingText';
import { formatChangeDb, versioned, withinTarget } from './bakeText';

const MAPS: { key: 'colour' | 'opacity' | 'visibility'; label: string; what: string }[] = [
  { key: 'colour', label: 'Colour', what: 'RGB from the baked SH DC' },
  { key: 'opacity', label: 'Opacity', what: 'white = opaque' },
  { key: 'visibility', label: 'Visibility', what: 'white = seen in the footage, grey = filled, black = outside the layout' },
];

/** A bake's report: held-out PSNR/SSIM before and after, the drop, coverage, time, and the map thumbnails. */
export function BakeReportView({ projectId, report }: { projectId: string; report: BakeSummary }) {
  const h = report.heldOut;
  const ok = withinTarget(report);
  return (
    <section className="bake-report" aria-label="Bake report">
      <dl className="stat-grid bake-stats">
        <div className="stat" title="Mean PSNR of the unbaked avatar on the held-out frames">
          <dt>Held-out PSNR before</dt>
          <dd data-testid="bake-psnr-before">{h ? `${h.before.psnr.toFixed(2)} dB` : '—'}</dd>
        </div>
        <div className="stat" title="Mean PSNR of the baked avatar on the held-out frames">
          <dt>Held-out PSNR after</dt>
          <dd data-testid="bake-psnr-after">{h ? `${h.after.psnr.toFixed(2)} dB` : '—'}</dd>
        </div>
        <div className={`stat${ok === false ? ' bake-stat-warn' : ''}`} title="The issue's target: within 0.3 dB of the unbaked avatar">
          <dt>Change</dt>
          <dd data-testid="bake-drop">{h ? formatChangeDb(h.dropDb) : '—'}</dd>
        </div>
        <div className="stat">
          <dt>SSIM before → after</dt>
          <dd>{h ? `${formatSsim(h.before.ssim)} → ${formatSsim(h.after.ssim)}` : '—'}</dd>
        </div>
        <div className="stat" title="Covered texels set by Gaussians seen in the footage (the rest are filled from their neighbours)">
          <dt>Observed texels</dt>
          <dd>{(report.observedTexelFraction * 100).toFixed(1)} %</dd>
        </div>
        <div className="stat">
          <dt>Time</dt>
          <dd>{formatDuration(report.seconds.total)}</dd>
        </div>
      </dl>
      <p className="muted bake-meta">
        {report.mapSize}² maps, {report.levels} levels, {report.steps.toLocaleString()} steps from {report.views} views; {report.observedGaussians.toLocaleString()} of {report.gaussians.toLocaleString()} Gaussians observed
        {h ? `; evaluated on ${h.frames} held-out frame${h.frames === 1 ? '' : 's'}` : '; no held-out frames to compare on'}.
      </p>
      <div className="bake-maps">
        {MAPS.map((m) => {
          const url = versioned(studio().assetUrl(projectId, report.files[m.key]), report);
          return (
            <figure key={m.key} className="bake-map">
              <a href={url} target="_blank" rel="noreferrer" title={`Open ${m.label.toLowerCase()}.png`}>
                {/* As stored: image row 0 = v≈0 at the top. */}
                <img src={url} alt={`${m.label} map`} width={160} height={160} data-testid={`bake-thumb-${m.key}`} />
              </a>
              <figcaption>
                {m.label} <span className="muted">{m.what}</span>
              </figcaption>
            </figure>
          );
        })}
      </div>
    </section>
  );
}

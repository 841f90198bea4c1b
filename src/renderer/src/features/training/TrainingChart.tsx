import type { Job } from '@shared/model/job';
import { formatDb, formatLoss } from './trainingText';
import { sparkline, useHistory } from './history';

const W = 240;
const H = 44;

/** Loss and validation PSNR over the steps seen in this session, as two small line charts. */
export function TrainingChart({ job }: { job: Job }) {
  const points = useHistory(job);
  const loss = points.filter((p) => p.loss !== null);
  const psnr = points.filter((p) => p.psnr !== null);
  if (loss.length < 2 && psnr.length < 2) return null;
  return (
    <div className="training-chart" aria-label="Loss and PSNR over the steps" data-testid="training-chart">
      {[
        { label: 'Loss', series: loss.map((p) => ({ x: p.step, y: p.loss })), text: formatLoss(loss.at(-1)?.loss), cls: 'is-loss' },
        { label: 'PSNR', series: psnr.map((p) => ({ x: p.step, y: p.psnr })), text: formatDb(psnr.at(-1)?.psnr), cls: 'is-psnr' },
      ].map((c) =>
        c.series.length >= 2 ? (
          <figure key={c.label} className={`training-spark ${c.cls}`}>
            <figcaption>
              <span>{c.label}</span>
              <span className="muted">{c.text}</span>
            </figcaption>
            <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${c.label} from step ${c.series[0]!.x} to ${c.series.at(-1)!.x}`}>
              <polyline points={sparkline(c.series, W, H)} fill="none" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
            </svg>
          </figure>
        ) : null,
      )}
    </div>
  );
}

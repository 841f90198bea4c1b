import { formatPercent } from '../lib/format';

/** A determinate bar (fraction 0..1) or an indeterminate one (fraction null, e.g. while queued). */
export function ProgressBar({ fraction, label, tone = 'accent' }: { fraction: number | null; label: string; tone?: 'accent' | 'success' | 'danger' | 'muted' }) {
  const clamped = fraction === null ? null : Math.min(1, Math.max(0, fraction));
  return (
    <div
      className={`progress progress-${tone}${clamped === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped === null ? undefined : Math.round(clamped * 100)}
      aria-valuetext={clamped === null ? 'waiting' : formatPercent(clamped)}
    >
      <div className="progress-fill" style={clamped === null ? undefined : { width: `${clamped * 100}%` }} />
    </div>
  );
}

import type { JobProgress } from '@shared/model/job';

function formatEta(s: number | null): string {
  if (s === null) return '';
  if (s < 60) return ` ETA ${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? ` ETA ${m}m${String(s % 60).padStart(2, '0')}s` : ` ETA ${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A progress line on stderr: redrawn in place on a terminal, one line every few seconds when piped to a log. */
export class ProgressBar {
  private lastLine = 0;
  private drawn = false;
  constructor(
    private readonly title: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(p: JobProgress): void {
    const pct = Math.round(p.fraction * 100);
    const counts = p.total !== undefined ? ` ${p.done ?? 0}/${p.total}${p.unit ? ` ${p.unit}` : ''}` : '';
    const text = `${this.title}: ${p.stage}${counts}${formatEta(p.etaSeconds)}`;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(p.fraction * width);
      this.stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${text}`);
      this.drawn = true;
    } else if (Date.now() - this.lastLine > 2000 || p.fraction >= 1) {
      this.lastLine = Date.now();
      this.stream.write(`${String(pct).padStart(3)}% ${text}\n`);
    }
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

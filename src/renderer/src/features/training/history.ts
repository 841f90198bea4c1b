import { useEffect, useState } from 'react';
import type { Job } from '@shared/model/job';

export interface HistoryPoint {
  step: number;
  loss: number | null;
  psnr: number | null;
}

const MAX_POINTS = 400;
const histories = new Map<string, HistoryPoint[]>();

/**
 * Adds a job's latest live figures to its history (kept for the session, per job; a reload starts it afresh). A new
 * validation adds a PSNR point, every report a loss point; a resume from an earlier checkpoint drops the points past
 * it. Long runs keep every other point once the history is full.
 */
export function recordProgress(job: Job): HistoryPoint[] {
  const t = job.progress.training;
  const h = histories.get(job.id) ?? [];
  if (!t) return h;
  while (h.length && h.at(-1)!.step > t.step) h.pop();
  const last = h.at(-1);
  const psnr = t.validatedAt === t.step ? t.psnr : null;
  if (last && last.step === t.step) {
    last.loss = t.loss ?? last.loss;
    last.psnr = psnr ?? last.psnr;
  } else h.push({ step: t.step, loss: t.loss, psnr });
  if (h.length > MAX_POINTS) {
    const kept = h.filter((_, i) => i % 2 === 0 || i === h.length - 1);
    h.length = 0;
    h.push(...kept);
  }
  histories.set(job.id, h);
  return h;
}

export function useHistory(job: Job): HistoryPoint[] {
  const [points, setPoints] = useState<HistoryPoint[]>(() => recordProgress(job));
  const t = job.progress.training;
  useEffect(() => {
    setPoints([...recordProgress(job)]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job.id, t?.step, t?.loss, t?.psnr, t?.validatedAt]);
  return points;
}

/** SVG polyline points for values over steps, in a w×h box (null values skipped; flat series centred). */
export function sparkline(points: { x: number; y: number | null }[], w: number, h: number, pad = 2): string {
  const pts = points.filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y));
  if (pts.length === 0) return '';
  const x0 = Math.min(...pts.map((p) => p.x)), x1 = Math.max(...pts.map((p) => p.x));
  const y0 = Math.min(...pts.map((p) => p.y)), y1 = Math.max(...pts.map((p) => p.y));
  const sx = (x: number) => (x1 > x0 ? pad + ((x - x0) / (x1 - x0)) * (w - 2 * pad) : w / 2);
  const sy = (y: number) => (y1 > y0 ? h - pad - ((y - y0) / (y1 - y0)) * (h - 2 * pad) : h / 2);
  return pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
}

import type { Job } from '@shared/model/job';
import type { Project } from '@shared/model/project';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

export function projectsTable(projects: Project[]): string {
  if (projects.length === 0) return 'No projects.';
  return table([
    ['ID', 'NAME', 'CAPTURES', 'AVATARS', 'SIZE', 'UPDATED'],
    ...projects.map((p) => [p.id, p.name, String(p.counts.captures), String(p.counts.avatars), formatBytes(p.sizeBytes), new Date(p.updatedAt).toISOString().slice(0, 16).replace('T', ' ')]),
  ]);
}

export function jobsTable(jobs: Job[]): string {
  if (jobs.length === 0) return 'No jobs.';
  return table([
    ['ID', 'STATUS', 'PROGRESS', 'TITLE'],
    ...jobs.map((j) => [j.id, j.status, `${Math.round(j.progress.fraction * 100)}%`, j.title + (j.error ? ` — ${j.error.message}` : '')]),
  ]);
}

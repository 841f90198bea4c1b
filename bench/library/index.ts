/**
 * Library benchmark: open, create, list, search and rename on a temporary library with many projects. Prints one
 * JSON object (medians in ms) as the last stdout line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StudioHost } from '../../src/main/host/studio-host';

const PROJECTS = Number(process.argv[2] ?? 2000);
const REPEATS = 25;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>, n = REPEATS): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return +median(samples).toFixed(3);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-library-'));
try {
  let t = performance.now();
  const host = StudioHost.open({ libraryDir: dir, frontDoor: 'cli' });
  const openFreshMs = +(performance.now() - t).toFixed(2);
  const call = async (m: string, p: unknown) => {
    const r = await host.dispatch(m, p);
    if (!r.ok) throw new Error(r.error.message);
    return r.result as { id: string }[] & { id: string };
  };
  t = performance.now();
  for (let i = 0; i < PROJECTS; i++) await call('projects.create', { name: `Subject ${i} take ${i % 7}` });
  const createMs = (performance.now() - t) / PROJECTS;
  process.stderr.write(`created ${PROJECTS} projects\n`);
  const listMs = await time(() => call('projects.list', {}));
  const searchMs = await time(() => call('projects.list', { query: 'take 3' }));
  const first = (await call('projects.list', {}))[0]!;
  let k = 0;
  const renameMs = await time(() => call('projects.rename', { id: first.id, name: `Renamed ${k++}` }));
  await host.close();
  t = performance.now();
  const again = StudioHost.open({ libraryDir: dir, frontDoor: 'cli' });
  const reopenMs = +(performance.now() - t).toFixed(2);
  await again.close();
  console.log(
    JSON.stringify({
      bench: 'library',
      projects: PROJECTS,
      openFreshMs,
      reopenMs,
      createMedianMsPerProject: +createMs.toFixed(3),
      listAllMedianMs: listMs,
      searchMedianMs: searchMs,
      renameMedianMs: renameMs,
    }),
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

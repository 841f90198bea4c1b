/**
 * Run by bake-job.test.ts inside `unshare -rm` (a private mount namespace where this process is root): an avatar
 * whose folder sits on a small tmpfs. A first bake (256², fits) succeeds; the tmpfs is then filled so the re-bake's
 * maps.bin (3.2 MB) cannot be written. Prints one JSON line with what was observed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { avatarDir } from '../training/training-types';
import { bakeDir, bakePartialDir } from './bake-paths';
import { craftBakeableAvatar } from './test-bake-avatar';

const [libraryDir, mediaDir] = process.argv.slice(2) as [string, string];
const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
const projectId = host.services.projects.create('Disk full').id;
const { avatarId } = await craftBakeableAvatar(host, projectId, mediaDir);
const root = host.services.projects.folderOf(projectId);
const dir = path.join(root, avatarDir(avatarId));
// Move the avatar's files onto a 12 MB tmpfs mounted at its folder.
const aside = `${dir}.aside`;
fs.renameSync(dir, aside);
fs.mkdirSync(dir);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', dir]);
for (const f of fs.readdirSync(aside)) fs.copyFileSync(path.join(aside, f), path.join(dir, f));

const bake = async () => {
  const out = await host.dispatch('bake.start', { avatarId, mapSize: 256, steps: 1, levels: 1 });
  if (!out.ok) throw new Error(out.error.message);
  return host.jobs.waitFor((out.result as Job).id);
};
const first = await bake();
const before = fs.readFileSync(path.join(root, bakeDir(avatarId), 'maps.bin'));
// Leave less than one maps.bin (3.2 MB) free.
const free = () => {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
};
fs.writeFileSync(path.join(dir, 'filler.bin'), Buffer.alloc(Math.max(0, free() - 1_000_000)));
const failed = await bake();
const after = fs.readFileSync(path.join(root, bakeDir(avatarId), 'maps.bin'));
console.log(
  JSON.stringify({
    first: first.status,
    status: failed.status,
    error: failed.error,
    partialLeft: fs.existsSync(path.join(root, bakePartialDir(avatarId))),
    previousKept: before.equals(after),
  }),
);
await host.close();
process.exit(0);

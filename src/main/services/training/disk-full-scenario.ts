/**
 * Run by training-ux.test.ts inside `unshare -rm` (a private mount namespace where this process is root): a training
 * job whose avatar folder sits on a small tmpfs. After the first checkpoint the tmpfs is filled to less than one more
 * checkpoint, so the next atomic checkpoint write fails with ENOSPC. Prints one JSON line with what was observed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '@shared/model/job';
import { readCheckpoint } from '@engine/avatar/trainer';
import { StudioHost } from '../../host/studio-host';
import { craftTrackedCapture } from './test-capture';

const [libraryDir, mediaDir] = process.argv.slice(2) as [string, string];
const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
const projectId = host.services.projects.create('Disk full').id;
const capture = await craftTrackedCapture(host, projectId, mediaDir, { frames: 10 });
const avatars = path.join(host.services.projects.folderOf(projectId), 'avatars');
fs.mkdirSync(avatars, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', avatars]);

const call = async (method: string, params: unknown) => {
  const out = await host.dispatch(method, params);
  if (!out.ok) throw new Error(out.error.message);
  return out.result as Job;
};
const started = await call('training.start', { captureId: capture.id, overrides: { steps: 40, uvResolution: 16, imageLongSide: 48, previewSeconds: 3600 } });
const partial = path.join(avatars, `${(host.services.jobs.get(started.id).params as { avatarId: string }).avatarId}.partial`);
const filler = path.join(avatars, 'filler.bin');
// After the first checkpoint (step 10), leave less free space than one more checkpoint needs.
while (((host.services.jobs.get(started.id).checkpoint as { step?: number } | null)?.step ?? 0) < 10) {
  if (host.services.jobs.get(started.id).status !== 'running') break;
  await new Promise((r) => setTimeout(r, 20));
}
const ckSize = fs.statSync(path.join(partial, 'checkpoint.bin')).size;
const free = () => {
  const s = fs.statfsSync(avatars);
  return s.bavail * s.bsize;
};
fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - Math.floor(ckSize / 2))));
const failed = await host.jobs.waitFor(started.id);
const record = host.services.jobs.get(started.id);
const onDisk = readCheckpoint(new Uint8Array(fs.readFileSync(path.join(partial, 'checkpoint.bin'))).buffer);
const leftovers = fs.readdirSync(partial).filter((f) => f.endsWith('.tmp'));
console.log(
  JSON.stringify({
    status: failed.status,
    error: failed.error,
    jobCheckpoint: record.checkpoint,
    fileStep: onDisk.step,
    leftovers,
  }),
);
await host.close();
process.exit(0);

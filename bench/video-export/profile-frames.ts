/**
 * Times the stages of a rendered export's frame on this machine: deform + render (ForwardRenderer), the float RGBA
 * readback and the 8-bit conversion, for an avatar in a library (the d9 figures in services/export/README.md).
 * `npx tsx bench/video-export/profile-frames.ts LIBRARY AVATAR_ID [SIZE] [FRAMES]` → one JSON line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { createNodeDevice } from '@engine/gpu/node-device';
import { StudioHost } from '../../src/main/host/studio-host';
import { HeadRig } from '@engine/avatar/head-rig';
import { avatarWithFiles } from '../../src/main/services/training/avatar-files';
import { readVideoInputs } from '../../src/main/services/export/video-export';
import { VideoFrameRenderer } from '../../native/engine/avatar/render/avatar-frame-renderer';
import { videoSequence } from '../../src/main/services/export/video-sequence';
import { VIDEO_BACKGROUND } from '../../src/main/services/export/video-types';

const [lib, avatarId, sizeArg = '512', framesArg = '6'] = process.argv.slice(2);
if (!lib || !avatarId) throw new Error('usage: profile-frames.ts LIBRARY AVATAR_ID [SIZE] [FRAMES]');
const host = StudioHost.open({ libraryDir: lib, frontDoor: 'cli' });
const info = avatarWithFiles(host.services, avatarId);
const root = host.services.projects.folderOf(info.avatar.projectId);
const inputs = readVideoInputs(root, { avatar: info.files.avatar, expressionSpace: info.files.expressionSpace!, fit: info.files.fits[0]?.path ?? null, headTuning: info.files.headTuning });
await host.close();
const size = Number(sizeArg), n = Number(framesArg);
const data = parseAvatarBin(inputs.avatarBin);
const rig = new HeadRig(inputs.space, inputs.fit, inputs.headTuning ? readHeadTuningExport(inputs.headTuning).correctives : null);
const seq = videoSequence(rig, inputs.fit, { sequence: 'turntable', width: size, height: size, fps: 25, crf: 20, frames: n, expression: null, headPose: true });
const engine = await createNodeDevice({ label: 'video-profile' });
const r = new VideoFrameRenderer(engine, data, rig.model.triangles, rig.model.vertexCount);
const times: number[] = [];
for (let i = 0; i < n; i++) {
  const f = seq.frame(i);
  const t0 = performance.now();
  await r.render(f.vertices, f.camera, { over: VIDEO_BACKGROUND });
  times.push(performance.now() - t0);
}
r.destroy();
engine.destroy();
const load = fs.existsSync('/proc/loadavg') ? Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) : null;
process.stdout.write(`${JSON.stringify({ avatar: path.basename(lib), gaussians: data.count, size, frames: n, msPerFrame: times.map((t) => Math.round(t)), adapter: engine.adapter.description, load })}\n`);

/**
 * The `player` export: a folder that plays the avatar in any WebGPU browser with no network — the built web player
 * (src/player/, built by `npm run build` into out/player/: index.html + assets/) and the avatar bundle beside it as
 * `avatar.avatar` (H4's format, docs/avatar-bundle.md), the face tracking models for webcam driving in `models/` (the
 * studio's converted ONNX models, run in the page by onnxruntime-web), plus a README.txt on how to open it. Written with
 * `writeExportFolder` (temp folder + rename: no partial folder on a cancel, a read-only or a full location).
 * Worker side; the host side is player-request.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { writeAvatarBundle } from '@engine/export/avatar-bundle';
import { StudioError } from '@shared/api/errors';
import type { WorkerContext } from '../../jobs/worker-context';
import { bundleInputFromFiles } from './data-export';
import { type ExportOutput, type ExportParams } from './export-types';
import { writeExportFolder } from './write-export-folder';
import { defaultModelsDir } from '../tracking/models';
import { WEBCAM_MODELS } from '@tracking/models';

export const PLAYER_BUNDLE_NAME = 'avatar.avatar';

const README = `Avatar Studio web player
========================

This folder plays an avatar in a web browser with WebGPU (Chrome / Edge 113+, or Chromium with
--enable-unsafe-webgpu on Linux). It needs no network, but browsers only allow WebGPU and file loading
from a web server, so serve this folder and open the address it prints, for example:

    python3 -m http.server 8000        then open http://127.0.0.1:8000/
    npx http-server -p 8000            (Node.js)

Files: index.html + assets/ (the player; assets/ort-wasm-*.wasm is ONNX Runtime Web), ${PLAYER_BUNDLE_NAME} (the avatar
bundle, docs/avatar-bundle.md), models/ (the face tracking models for webcam driving).
Controls: drag to orbit, right- or shift-drag to pan, wheel to zoom; expression sliders; play the tracked motion;
"Drive with webcam" tracks your face in the page (nothing is sent anywhere) and drives the avatar.
URL options: ?size=640x480 (fixed render size), ?frame=N (start at a tracked frame), ?yaw=30 (degrees),
?bundle=other.avatar (another bundle next to this page).
`;

/** The built player (index.html + assets/): AVATAR_STUDIO_PLAYER_DIR, out/player beside the built main, or the repository's out/player. */
export function findPlayerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [process.env.AVATAR_STUDIO_PLAYER_DIR ?? '', path.join(here, '..', 'player')];
  for (let dir = here, i = 0; i < 7; i++, dir = path.dirname(dir)) candidates.push(path.join(dir, 'out', 'player'));
  const found = candidates.find((c) => c && fs.existsSync(path.join(c, 'index.html')) && fs.existsSync(path.join(c, 'assets')));
  if (!found) throw new StudioError('INTERNAL', 'The web player is not built (out/player/index.html is missing). Run `npm run build`, or reinstall Avatar Studio.');
  return found;
}

function* playerFiles(dir: string, prefix = ''): Generator<{ name: string; bytes: Uint8Array }> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) yield* playerFiles(path.join(dir, e.name), rel);
    else if (e.isFile()) yield { name: rel, bytes: new Uint8Array(fs.readFileSync(path.join(dir, e.name))) };
  }
}

/** The webcam tracker's models (`models/NAME.onnx`); a clear error when the studio's models are not built. */
function trackingModelFiles(dir = defaultModelsDir()): { name: string; bytes: Uint8Array }[] {
  const missing = WEBCAM_MODELS.filter((n) => !fs.existsSync(path.join(dir, `${n}.onnx`)));
  if (missing.length) throw new StudioError('INTERNAL', `The face tracking models are not built (${missing.join(', ')} missing in ${dir}), so the player could not drive from a webcam. Run \`npm run models:build\`, or reinstall Avatar Studio.`);
  return WEBCAM_MODELS.map((n) => ({ name: `models/${n}.onnx`, bytes: new Uint8Array(fs.readFileSync(path.join(dir, `${n}.onnx`))) }));
}

/** Worker side: bundle + player files → the target folder. */
export async function runPlayerExport(ctx: WorkerContext, p: ExportParams): Promise<ExportOutput> {
  const t0 = performance.now();
  if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar has no folder any more.');
  if (!p.data) throw new StudioError('BAD_REQUEST', "The player export's settings are missing.");
  const playerDir = findPlayerDir();
  ctx.progress({ fraction: 0.2, stage: 'Packing the avatar bundle' });
  const input = bundleInputFromFiles(ctx.projectDir, p.files, p.data);
  const bundle = writeAvatarBundle(input);
  ctx.throwIfCancelled();
  ctx.progress({ fraction: 0.6, stage: `Writing ${path.basename(p.target)}/` });
  const files = [...playerFiles(playerDir), ...trackingModelFiles(), { name: PLAYER_BUNDLE_NAME, bytes: bundle }, { name: 'README.txt', bytes: new TextEncoder().encode(README) }];
  const w = writeExportFolder(p.target, files);
  return { target: p.target, sha256: w.sha256, size: w.size, gaussians: parseAvatarBin(input.avatar).count, dropped: 0, seconds: (performance.now() - t0) / 1000 };
}

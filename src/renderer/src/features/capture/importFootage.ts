import type { ImportSource } from '@shared/model/capture';
import { isStudioError } from '@shared/api/errors';
import { errorMessage } from '../../lib/errors';
import { formatBytes, plural } from '../../lib/format';
import { useCaptures } from '../../store/captures';
import { useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';
import { toast } from '../../store/toasts';

const VIDEO_EXT = /\.(mp4|m4v|mov|mkv|webm|avi|mts|m2ts|mxf|mpg|mpeg|wmv|3gp)$/i;
const IMAGE_EXT = /\.(jpe?g|png|webp|tiff?|bmp|exr|heic|heif|avif|dng)$/i;
const CALIBRATION_EXT = /\.(json|ya?ml|xml|txt)$/i;

export const ACCEPT = 'video/*,image/*,.mkv,.mxf,.mts,.exr,.dng';

export const isVideo = (f: File) => f.type.startsWith('video/') || VIDEO_EXT.test(f.name);
export const isImage = (f: File) => f.type.startsWith('image/') || IMAGE_EXT.test(f.name);

/** What the user picked or dropped: loose files, and folders (each an image sequence). */
export interface FootagePick {
  files: File[];
  folders: Array<{ name: string; files: File[]; path?: string }>;
}

export interface ImportPlan {
  videos: File[];
  images: File[];
  folders: FootagePick['folders'];
  calibration: File | null;
  ignored: File[];
}

export function planImport(pick: FootagePick): ImportPlan {
  const plan: ImportPlan = { videos: [], images: [], folders: [], calibration: null, ignored: [] };
  for (const f of pick.files) {
    if (isVideo(f)) plan.videos.push(f);
    else if (isImage(f)) plan.images.push(f);
    else if (CALIBRATION_EXT.test(f.name) && !plan.calibration) plan.calibration = f;
    else plan.ignored.push(f);
  }
  for (const folder of pick.folders) {
    const images = folder.files.filter(isImage).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    if (images.length > 0 || folder.path) plan.folders.push({ ...folder, files: images });
  }
  plan.images.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return plan;
}

export const planIsEmpty = (p: ImportPlan) => p.videos.length === 0 && p.images.length === 0 && p.folders.length === 0;

/** Files and folders of a drop. Folders are walked (webkitGetAsEntry) in the browser; Electron passes their path. */
export async function readDrop(dt: DataTransfer): Promise<FootagePick> {
  const pick: FootagePick = { files: [], folders: [] };
  const items = [...dt.items].filter((i) => i.kind === 'file');
  const entries = items.map((i) => ({ entry: i.webkitGetAsEntry?.() ?? null, file: i.getAsFile() }));
  for (const { entry, file } of entries) {
    if (entry?.isDirectory) {
      const bridge = window.studioBridge;
      const path = bridge && file ? safePath(file) : undefined;
      const files = path ? [] : await walk(entry as FileSystemDirectoryEntry);
      pick.folders.push({ name: entry.name, files, path });
    } else if (file) pick.files.push(file);
  }
  if (entries.length === 0) pick.files.push(...dt.files);
  return pick;
}

function safePath(file: File): string | undefined {
  try {
    return window.studioBridge?.pathForFile(file) || undefined;
  } catch {
    return undefined;
  }
}

async function walk(dir: FileSystemDirectoryEntry, depth = 0): Promise<File[]> {
  const reader = dir.createReader();
  const out: File[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.isFile) out.push(await new Promise<File>((resolve, reject) => (e as FileSystemFileEntry).file(resolve, reject)));
      else if (e.isDirectory && depth < 2) out.push(...(await walk(e as FileSystemDirectoryEntry, depth + 1)));
    }
  }
  return out;
}

let nextUploadId = 1;

type ImportParams = Parameters<typeof startImportCall>[0];
function startImportCall(params: { projectId: string; sources: ImportSource[]; name?: string; multiview: boolean; calibration?: ImportSource; options: { longSide: number; fps?: number; allowDuplicate: boolean } }) {
  return studio().client.call('captures.import', params);
}
/** What each import job of this window was started with, so a duplicate refused by the job can be re-run. */
const jobParams = new Map<string, ImportParams>();

/** Offers "Import again" when an import job of this window failed because the footage is already in the project. */
export function offerDuplicateImport(jobId: string, message: string): void {
  const params = jobParams.get(jobId);
  if (!params) return;
  jobParams.delete(jobId);
  toast.info(message, {
    label: 'Import again',
    run: async () => {
      try {
        const job = await startImportCall({ ...params, options: { ...params.options, allowDuplicate: true } });
        jobParams.set(job.id, params);
        useJobs.getState().upsert(job);
      } catch (e) {
        toast.error(errorMessage(e));
      }
    },
  });
}

class UploadCancelled extends Error {}

/** Streams files to web mode (`PUT /upload`) one after another, reporting progress over all of them. */
async function uploadAll(projectId: string, label: string, files: File[]): Promise<string[]> {
  const id = nextUploadId++;
  const total = files.reduce((n, f) => n + f.size, 0);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  let done = 0;
  let current: XMLHttpRequest | null = null;
  let cancelled = false;
  const abort = () => {
    cancelled = true;
    current?.abort();
  };
  const { setUpload, removeUpload } = useCaptures.getState();
  setUpload({ id, projectId, label, loaded: 0, total, abort });
  try {
    const ids: string[] = [];
    for (const file of files) {
      if (cancelled) throw new UploadCancelled();
      ids.push(
        await new Promise<string>((resolve, reject) => {
          const xhr = (current = new XMLHttpRequest());
          xhr.open('PUT', `/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`);
          xhr.upload.onprogress = (e) => setUpload({ id, projectId, label, loaded: done + e.loaded, total, abort });
          xhr.onload = () => {
            let body: { uploadId?: string; error?: { message?: string } } = {};
            try {
              body = JSON.parse(xhr.responseText);
            } catch {
              // handled below
            }
            if (xhr.status === 200 && body.uploadId) resolve(body.uploadId);
            else reject(new Error(body.error?.message ?? `The upload of “${file.name}” was refused (HTTP ${xhr.status}).`));
          };
          xhr.onerror = () => reject(new Error(`The upload of “${file.name}” failed: the connection to the studio was lost.`));
          xhr.onabort = () => reject(new UploadCancelled());
          xhr.send(file);
        }),
      );
      done += file.size;
      setUpload({ id, projectId, label, loaded: done, total, abort });
    }
    return ids;
  } finally {
    removeUpload(id);
  }
}

async function sourcesFor(projectId: string, label: string, files: File[], folderPath?: string): Promise<ImportSource[]> {
  if (folderPath) return [{ path: folderPath }];
  if (window.studioBridge) {
    const paths = files.map(safePath);
    if (paths.every((p): p is string => Boolean(p))) return paths.map((path) => ({ path }));
  }
  const ids = await uploadAll(projectId, label, files);
  return ids.map((uploadId) => ({ uploadId }));
}

export interface ImportChoice {
  multiview: boolean;
  longSide: number;
  fps?: number;
  name?: string;
}

/** Starts one import job (after uploading in web mode). Returns false when it did not start. */
async function startImport(
  projectId: string,
  label: string,
  files: File[],
  extra: { multiview?: boolean; calibration?: File | null; name?: string; folderPath?: string; longSide: number; fps?: number },
): Promise<boolean> {
  let sources: ImportSource[];
  let calibration: ImportSource | undefined;
  try {
    sources = await sourcesFor(projectId, label, files, extra.folderPath);
    if (extra.calibration) calibration = (await sourcesFor(projectId, `calibration ${extra.calibration.name}`, [extra.calibration]))[0];
  } catch (e) {
    if (e instanceof UploadCancelled) toast.info(`Upload of ${label} cancelled.`);
    else toast.error(e instanceof Error ? e.message : errorMessage(e));
    return false;
  }
  const call = async (allowDuplicate: boolean): Promise<boolean> => {
    try {
      const params: ImportParams = {
        projectId,
        sources,
        name: extra.name,
        multiview: extra.multiview ?? false,
        calibration,
        options: { longSide: extra.longSide, fps: extra.fps, allowDuplicate },
      };
      const job = await startImportCall(params);
      jobParams.set(job.id, params);
      useJobs.getState().upsert(job);
      return true;
    } catch (e) {
      if (isStudioError(e) && e.code === 'CONFLICT' && !allowDuplicate) {
        toast.info(e.message, { label: 'Import again', run: () => void call(true) });
      } else toast.error(errorMessage(e));
      return false;
    }
  };
  return call(false);
}

/**
 * Imports what was picked: each video is a capture (or all of them one multi-view capture), loose images are one
 * image sequence (one image: a photo), each folder is an image sequence.
 */
export async function importFootage(projectId: string, plan: ImportPlan, choice: ImportChoice): Promise<void> {
  if (plan.ignored.length > 0) toast.info(`Skipped ${plural(plan.ignored.length, 'file')} that ${plan.ignored.length === 1 ? 'is' : 'are'} not video or images: ${plan.ignored.map((f) => f.name).slice(0, 3).join(', ')}${plan.ignored.length > 3 ? '…' : ''}`);
  const opts = { longSide: choice.longSide, fps: choice.fps };
  const work: Array<Promise<boolean>> = [];
  if (plan.videos.length > 1 && choice.multiview) {
    work.push(startImport(projectId, `${plan.videos.length} views`, plan.videos, { ...opts, multiview: true, calibration: plan.calibration, name: choice.name }));
  } else {
    for (const v of plan.videos) work.push(startImport(projectId, v.name, [v], { ...opts, name: plan.videos.length === 1 ? choice.name : undefined }));
  }
  if (plan.images.length > 0) {
    const label = plan.images.length === 1 ? plan.images[0].name : `${plan.images.length} images`;
    work.push(startImport(projectId, label, plan.images, { ...opts, name: choice.name }));
  }
  for (const folder of plan.folders) work.push(startImport(projectId, `folder ${folder.name}`, folder.files, { ...opts, name: folder.name, folderPath: folder.path }));
  await Promise.all(work);
}

export function uploadText(loaded: number, total: number): string {
  return `${formatBytes(loaded)} of ${formatBytes(total)}`;
}

/**
 * Where the driving frames come from: a camera (enumerateDevices + getUserMedia, video only — the studio asks for
 * nothing else) or a video file played in a loop. Camera failures become one of a few problems with a message that
 * says what to do; every one of them is recoverable with Retry or another source.
 */

export type SourceProblemKind = 'denied' | 'no-camera' | 'busy' | 'unplugged' | 'unsupported' | 'file';

export class SourceProblem extends Error {
  override name = 'SourceProblem';
  constructor(
    readonly kind: SourceProblemKind,
    message: string,
  ) {
    super(message);
  }
}

export const UNPLUGGED_MESSAGE = 'The camera stopped sending pictures (unplugged, switched off or taken by another app). Plug it back in and press Retry, or choose another camera or a video file.';

/** A getUserMedia failure → what the user can do about it. */
export function describeMediaError(err: unknown): SourceProblem {
  if (err instanceof SourceProblem) return err;
  const name = (err as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return new SourceProblem('denied', 'Camera access was denied. Allow the camera for this page (the camera icon in the address bar, or the system privacy settings), then press Retry — or drive the avatar from a video file.');
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new SourceProblem('no-camera', 'No camera was found. Connect a camera and press Retry, or drive the avatar from a video file.');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new SourceProblem('busy', 'The camera could not be started: another application may be using it. Close that application and press Retry.');
    default:
      return new SourceProblem('busy', `The camera could not be started (${name || 'error'}: ${(err as Error)?.message ?? String(err)}). Press Retry, or choose a video file.`);
  }
}

function mediaDevices(): MediaDevices {
  const md = (navigator as Navigator & { mediaDevices?: MediaDevices }).mediaDevices;
  if (!md?.getUserMedia)
    throw new SourceProblem('unsupported', 'This window cannot use cameras (no navigator.mediaDevices: open the studio at the 127.0.0.1 address web mode printed, or in the desktop app). A video file still works.');
  return md;
}

/** The cameras the page may use (labels appear once access was granted). */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  const all = await mediaDevices().enumerateDevices();
  return all.filter((d) => d.kind === 'videoinput');
}

/** Opens a camera (the given one, or the default) at up to 640×480, 30 fps. */
export async function openCamera(deviceId: string | null): Promise<MediaStream> {
  const md = mediaDevices();
  try {
    const stream = await md.getUserMedia({
      audio: false,
      video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
    if (!stream.getVideoTracks().length) throw new SourceProblem('no-camera', 'The camera gave no video. Choose another camera, or a video file.');
    return stream;
  } catch (err) {
    throw describeMediaError(err);
  }
}

export function stopStream(stream: MediaStream | null): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

/** True while the stream's video track still delivers (false once it ended: unplugged, stopped, revoked). */
export function streamAlive(stream: MediaStream | null): boolean {
  const t = stream?.getVideoTracks()[0];
  return !!t && t.readyState === 'live';
}

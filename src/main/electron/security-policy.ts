/**
 * Security decisions of the Electron app as plain functions (no `electron` import), so they are unit-tested here and
 * main.ts only wires them to Electron's hooks. Follows Electron's security checklist: custom protocol instead of
 * file://, a strict CSP, navigation and new windows blocked, permissions denied except the camera for the live page,
 * and every IPC message checked against its sender frame.
 */
import { pageOf, parseHash } from '@shared/routes';

export const STUDIO_SCHEME = 'studio';
export const APP_ORIGIN = `${STUDIO_SCHEME}://app`;
/** The studio's page (the React renderer). */
export const APP_PAGE_PATH = '/index.html';
/** The hidden engine page (Chromium engine host), built from native/engine/host/engine-page/engine.html. */
export const ENGINE_PAGE_PATH = '/engine.html';
export const APP_PAGE_URL = `${APP_ORIGIN}${APP_PAGE_PATH}`;
export const ENGINE_PAGE_URL = `${APP_ORIGIN}${ENGINE_PAGE_PATH}`;

/**
 * CSP of the studio page: only its own scripts (plus WebAssembly compilation for ORT/engine helpers), no inline
 * script, no eval, no plugins, no framing, no form posts; images and media from the page and project files
 * (studio://files/…), blob: for decoded frames and camera streams.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: studio:",
  "media-src 'self' blob: studio:",
  "font-src 'self'",
  "connect-src 'self' studio:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** CSP of the engine page: its own script and nothing else (it talks only over its MessagePort). */
export const ENGINE_CSP = ["default-src 'none'", "script-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

/** The CSP header for an HTML file served from studio://app, by path. */
export function cspForAppPath(pathname: string): string {
  return pathname === ENGINE_PAGE_PATH ? ENGINE_CSP : RENDERER_CSP;
}

function parse(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * studio://app/… with Node's URL parser: a non-special scheme has an opaque origin ("null") there, so compare the
 * scheme and host, never `origin` or a string prefix.
 */
function isAppUrl(u: URL | null): u is URL {
  return !!u && u.protocol === `${STUDIO_SCHEME}:` && u.host === 'app' && !u.username && !u.password && !u.port;
}

/** True for the studio page itself (any hash route), never for the engine page or other studio:// paths. */
export function isAppPageUrl(url: string | undefined | null): boolean {
  const u = parse(url);
  return isAppUrl(u) && (u.pathname === APP_PAGE_PATH || u.pathname === '/');
}

export function isEnginePageUrl(url: string | undefined | null): boolean {
  const u = parse(url);
  return isAppUrl(u) && u.pathname === ENGINE_PAGE_PATH;
}

export interface IpcSenderInfo {
  /** `event.senderFrame.url` (null when the frame is gone). */
  frameUrl: string | null | undefined;
  /** Whether the sending frame is the top frame of its page (`senderFrame === sender.mainFrame`). */
  isMainFrame: boolean;
  /** Whether the sender is one of the studio's own windows (not the engine window, not some other contents). */
  isStudioWindow: boolean;
}

/** IPC sender validation: only the top frame of a studio window showing the studio page may call the StudioApi. */
export function isTrustedIpcSender(s: IpcSenderInfo): boolean {
  return s.isStudioWindow && s.isMainFrame && isAppPageUrl(s.frameUrl);
}

/** `will-navigate` / `will-redirect`: stay on the studio page (hash changes are same-document and never get here). */
export function isNavigationAllowed(url: string): boolean {
  return isAppPageUrl(url);
}

/** `setWindowOpenHandler`: never open a window; https links go to the system browser, everything else is dropped. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  const u = parse(url);
  return { action: 'deny', openExternally: !!u && u.protocol === 'https:' && !u.username && !u.password };
}

/** The live-drive page (`#/project/<id>/live[/<avatarId>]`, the route table's `live`), the only one allowed to use the camera. */
export function isLiveRoute(url: string | undefined | null): boolean {
  const u = parse(url);
  return !!u && isAppPageUrl(url) && pageOf(parseHash(u.hash)) === 'live';
}

export interface PermissionQuery {
  permission: string;
  /** The URL of the requesting frame (details.requestingUrl), or the requesting origin where only that is known. */
  requestingUrl: string | undefined;
  isMainFrame: boolean;
  /** For 'media': which devices ('video', 'audio'); unknown when absent. */
  mediaTypes?: readonly string[];
  /** For permission checks on 'media': details.mediaType ('video' | 'audio' | 'unknown'). */
  mediaType?: string;
}

/**
 * Permission requests and checks: the camera ('media', video only) for the top frame of the studio page on the live
 * route; full screen for the studio page; everything else (microphone, geolocation, notifications, clipboard reads,
 * HID/USB/serial, openExternal, …) is refused.
 */
export function permissionDecision(q: PermissionQuery): boolean {
  if (!q.isMainFrame) return false;
  if (q.permission === 'fullscreen') return isAppPageUrl(q.requestingUrl);
  if (q.permission !== 'media') return false;
  if (!isLiveRoute(q.requestingUrl)) return false;
  if (q.mediaTypes) return q.mediaTypes.length > 0 && q.mediaTypes.every((t) => t === 'video');
  if (q.mediaType !== undefined) return q.mediaType === 'video';
  return false;
}

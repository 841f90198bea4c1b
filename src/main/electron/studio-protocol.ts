import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import { ProjectId } from '@shared/model/project';
import type { StudioHost } from '../host/studio-host';
import { containedPath, decodeUrlPath } from '../services/fs/contained-path';
import { cspForAppPath, STUDIO_SCHEME } from './security-policy';

export { STUDIO_SCHEME } from './security-policy';

/** Must run before app `ready`. */
export function registerStudioScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: STUDIO_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
}

/**
 * `studio://app/…` serves the built renderer; `studio://files/<projectId>/…` serves files of a project. Both
 * refuse paths that leave their folder. This replaces file:// (Electron security checklist).
 */
export function handleStudioProtocol(rendererDir: string, getHost: () => StudioHost): void {
  protocol.handle(STUDIO_SCHEME, async (request) => {
    const url = new URL(request.url);
    const parts = decodeUrlPath(url.pathname);
    let file: string | null = null;
    if (!parts) file = null;
    else if (url.host === 'app') file = containedPath(rendererDir, parts.length ? parts.join('/') : 'index.html');
    else if (url.host === 'files' && ProjectId.safeParse(parts[0]).success) {
      try {
        file = containedPath(getHost().services.projects.folderOf(parts[0]!), parts.slice(1).join('/'));
      } catch {
        file = null;
      }
    }
    let isFile = false;
    try {
      isFile = !!file && fs.statSync(file).isFile();
    } catch {
      isFile = false; // gone between the check and now
    }
    if (!file || !isFile) return new Response('Not found', { status: 404 });
    let response: Response;
    try {
      response = await net.fetch(pathToFileURL(file).toString(), { headers: request.headers });
    } catch {
      return new Response('Not found', { status: 404 });
    }
    const headers = new Headers(response.headers);
    if (url.host === 'app' && path.extname(file) === '.html') headers.set('Content-Security-Policy', cspForAppPath(url.pathname));
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

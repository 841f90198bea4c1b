/**
 * Footage dropped on the window outside a drop target (the library, an empty area): Chromium turns the drop into a
 * navigation to the file's file:// URL, which main blocks and turns into an import instead — into the project on
 * screen, or into a new project named after the file. Project views handle drops themselves
 * (FootageDropTarget) and never get here. Pure; no `electron` import.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHash } from '@shared/routes';

export const FOOTAGE_EXT = /\.(mp4|m4v|mov|mkv|webm|avi|mts|m2ts|mxf|mpg|mpeg|wmv|3gp|jpe?g|png)$/i;

/** The local path of a dropped footage file from a `will-navigate` URL, or null for anything else. */
export function droppedFootagePath(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'file:' || (u.host !== '' && u.host !== 'localhost')) return null;
  let p: string;
  try {
    p = fileURLToPath(u);
  } catch {
    return null;
  }
  return FOOTAGE_EXT.test(p) ? p : null;
}

/** A project name from a file name: the base name without extension, tidied, 1–80 characters. */
export function projectNameForFile(file: string): string {
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const tidy = base.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  return tidy || 'Untitled project';
}

/** The project id of a studio page URL's hash route (a project page of the route table, `#/project/<id>[/…]`), or null. */
export function projectIdOfUrl(url: string): string | null {
  let hash = '';
  try {
    hash = new URL(url).hash;
  } catch {
    return null;
  }
  const route = parseHash(hash);
  return route.name === 'project' ? route.id : null;
}

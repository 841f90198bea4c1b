/**
 * Deep links: `avatar-studio://open/project/<id>[/footage|/live]` opens a project in the studio. Pure parsing; main
 * registers the scheme (`app.setAsDefaultProtocolClient`) and receives URLs from `open-url` (macOS) or the command
 * line of the first or a second instance (Windows, Linux).
 */
export const DEEP_LINK_SCHEME = 'avatar-studio';

export interface DeepLink {
  kind: 'project';
  projectId: string;
  section: 'footage' | 'live' | null;
  /** The studio page's hash route to show. */
  route: string;
}

const ID = /^[0-9a-f]{32}$/;

export function parseDeepLink(raw: string): DeepLink | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  // `avatar-studio://open/project/<id>`: host "open"; tolerate `avatar-studio:open/project/<id>` too.
  const path = (u.host ? `${u.host}${u.pathname}` : u.pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = path.split('/');
  if (parts[0] !== 'open' || parts[1] !== 'project') return null;
  const id = (parts[2] ?? '').toLowerCase();
  if (!ID.test(id)) return null;
  const rest = parts.slice(3);
  let section: DeepLink['section'] = null;
  if (rest.length === 1 && (rest[0] === 'footage' || rest[0] === 'live')) section = rest[0];
  else if (rest.length > 0) return null;
  return { kind: 'project', projectId: id, section, route: `#/project/${id}${section ? `/${section}` : ''}` };
}

/** The first deep link among command-line arguments (Windows/Linux pass the URL as an argument). */
export function findDeepLink(argv: readonly string[]): DeepLink | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const link = parseDeepLink(arg);
    if (link) return link;
  }
  return null;
}

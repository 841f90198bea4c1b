/**
 * Deep links: `avatar-studio://open/project/<id>[/footage|/live]` opens a project in the studio. Pure parsing; main
 * registers the scheme (`app.setAsDefaultProtocolClient`) and receives URLs from `open-url` (macOS) or the command
 * line of the first or a second instance (Windows, Linux).
 */
import { deepLinkRoute, hrefOf, type DeepLinkSection } from '@shared/routes';

export const DEEP_LINK_SCHEME = 'avatar-studio';

export interface DeepLink {
  kind: 'project';
  projectId: string;
  section: DeepLinkSection | null;
  /** The studio page's hash route to show. */
  route: string;
}

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
  const path = (u.host ? `${u.host}${u.pathname}` : u.pathname).replace(/^\/+/, '');
  if (!path.startsWith('open/')) return null;
  // The pages a deep link may open are the route table's (src/shared/routes.ts).
  const route = deepLinkRoute(path.slice('open/'.length));
  if (!route) return null;
  return { kind: 'project', projectId: route.id, section: (route.section as DeepLinkSection | undefined) ?? null, route: hrefOf(route) };
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

/**
 * Every page of the studio, once: its hash route (the page's URL after `#`, so a reload keeps it), the project rail
 * item it lights, and whether a deep link (`avatar-studio://open/…`) may open it. The renderer's navigation
 * (`parseHash` / `hrefOf`), Electron's deep links, menu commands, dropped footage and camera permission all read
 * this table. Pure, no DOM, no Node.
 *
 * Paths: literal segments, `:name` a 32-hex id, `:name?` an optional last id. Live and Texture without an avatar
 * are the pages that list the project's avatars to pick one; Training with an avatar is its report.
 */
const PAGES = {
  library: { path: '/' },
  trash: { path: '/trash' },
  project: { path: '/project/:id', rail: 'overview', deepLink: true },
  footage: { path: '/project/:id/footage/:captureId?', rail: 'footage', deepLink: true },
  tracking: { path: '/project/:id/tracking', rail: 'tracking' },
  training: { path: '/project/:id/training/:avatarId?', rail: 'avatar' },
  viewport: { path: '/project/:id/viewport/:avatarId', rail: 'avatar' },
  live: { path: '/project/:id/live/:avatarId?', rail: 'live', deepLink: true },
  texture: { path: '/project/:id/texture/:avatarId?', rail: 'texture' },
  export: { path: '/project/:id/export', rail: 'export' },
} as const satisfies Record<string, { path: string; rail?: string; deepLink?: boolean }>;

export type PageName = keyof typeof PAGES;
/** A page inside a project (the project's own page, its overview, has none). */
export type ProjectSection = Exclude<PageName, 'library' | 'trash' | 'project'>;
export type Route = { name: 'library' } | { name: 'trash' } | { name: 'project'; id: string; section?: ProjectSection; captureId?: string; avatarId?: string };
/** The project rail's items (the pages light them). */
export type RailItem = { [P in PageName]: (typeof PAGES)[P] extends { rail: infer R } ? R : never }[PageName];

const PAGE_NAMES = Object.keys(PAGES) as PageName[];
const ID = /^[0-9a-f]{32}$/;

/** The table's page of a route. */
export function pageOf(route: Route): PageName {
  return route.name === 'project' ? (route.section ?? 'project') : route.name;
}

/** The project rail item lit on a project page: the Avatar item holds training, reports and the 3D viewport. */
export function railItemOf(section: ProjectSection | undefined): RailItem {
  return PAGES[section ?? 'project'].rail;
}

/** The route of a path (`/project/<id>/footage`), or null when no page has it. At most one trailing slash. */
function match(path: string): Route | null {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const parts = trimmed.split('/');
  for (const name of PAGE_NAMES) {
    const pattern = PAGES[name].path.split('/');
    const optional = pattern.at(-1)!.endsWith('?');
    if (parts.length !== pattern.length && !(optional && parts.length === pattern.length - 1)) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((part, i) => {
      const seg = pattern[i]!;
      if (!seg.startsWith(':')) return part === seg;
      if (!ID.test(part)) return false;
      params[seg.slice(1).replace(/\?$/, '')] = part;
      return true;
    });
    if (!ok) continue;
    if (name === 'library' || name === 'trash') return { name };
    const route: Route = { name: 'project', id: params.id! };
    if (name !== 'project') route.section = name;
    if (params.captureId) route.captureId = params.captureId;
    if (params.avatarId) route.avatarId = params.avatarId;
    return route;
  }
  return null;
}

/** The page of a hash (`#/project/<id>/live`); anything no page has is the library. */
export function parseHash(hash: string): Route {
  return match(hash.replace(/^#/, '')) ?? { name: 'library' };
}

/** The hash of a route (a required id the route lacks is left empty). */
export function hrefOf(route: Route): string {
  const values: Record<string, string | undefined> = route.name === 'project' ? { id: route.id, captureId: route.captureId, avatarId: route.avatarId } : {};
  const segments: string[] = [];
  for (const seg of PAGES[pageOf(route)].path.split('/')) {
    if (!seg.startsWith(':')) segments.push(seg);
    else if (seg.endsWith('?')) {
      const v = values[seg.slice(1, -1)];
      if (v) segments.push(v);
    } else segments.push(values[seg.slice(1)] ?? '');
  }
  return `#${segments.join('/') || '/'}`;
}

/** The sections a deep link may open (besides the project itself). */
export type DeepLinkSection = { [P in PageName]: (typeof PAGES)[P] extends { deepLink: true } ? P : never }[PageName] & ProjectSection;

/**
 * The route a deep link's path opens (`project/<id>[/footage|/live]`, the part after `open/`), or null: only pages
 * the table marks, without their optional id. The project id may be given in upper case.
 */
export function deepLinkRoute(path: string): (Route & { name: 'project' }) | null {
  const parts = path.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  if (parts[0] !== 'project' || parts[1] === undefined) return null;
  parts[1] = parts[1].toLowerCase();
  const route = match(`/${parts.join('/')}`);
  if (!route || route.name !== 'project' || route.captureId || route.avatarId) return null;
  return (PAGES[pageOf(route)] as { deepLink?: boolean }).deepLink ? route : null;
}

/**
 * Hash routes, so a reload keeps the page: `#/`, `#/trash`, `#/project/<id>[/footage[/<captureId>]]`,
 * `#/project/<id>/tracking`, `#/project/<id>/viewport/<avatarId>`, `#/project/<id>/live[/<avatarId>]`,
 * `#/project/<id>/texture[/<avatarId>]`, `#/project/<id>/export`, `#/project/<id>/training[/<avatarId>]` (an avatar's
 * report). Live and Texture without an avatar are the pages that list the project's avatars to pick one. Pure, no DOM.
 */
export type ProjectSection = 'footage' | 'tracking' | 'viewport' | 'training' | 'live' | 'texture' | 'export';
export type Route = { name: 'library' } | { name: 'trash' } | { name: 'project'; id: string; section?: ProjectSection; captureId?: string; avatarId?: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const viewport = /^\/project\/([0-9a-f]{32})\/viewport\/([0-9a-f]{32})\/?$/.exec(path);
  if (viewport) return { name: 'project', id: viewport[1], section: 'viewport', avatarId: viewport[2] };
  // Live and Texture: an avatar's page, or (no avatar) the page that lists the avatars to pick one.
  const picked = /^\/project\/([0-9a-f]{32})\/(live|texture)(?:\/([0-9a-f]{32}))?\/?$/.exec(path);
  if (picked) {
    const section = picked[2] as 'live' | 'texture';
    return picked[3] ? { name: 'project', id: picked[1], section, avatarId: picked[3] } : { name: 'project', id: picked[1], section };
  }
  const page = /^\/project\/([0-9a-f]{32})\/(tracking|export)\/?$/.exec(path);
  if (page) return { name: 'project', id: page[1], section: page[2] as 'tracking' | 'export' };
  const training = /^\/project\/([0-9a-f]{32})\/training(?:\/([0-9a-f]{32}))?\/?$/.exec(path);
  if (training) return training[2] ? { name: 'project', id: training[1], section: 'training', avatarId: training[2] } : { name: 'project', id: training[1], section: 'training' };
  const project = /^\/project\/([0-9a-f]{32})(?:\/(footage)(?:\/([0-9a-f]{32}))?)?\/?$/.exec(path);
  if (project) {
    if (!project[2]) return { name: 'project', id: project[1] };
    return project[3] ? { name: 'project', id: project[1], section: 'footage', captureId: project[3] } : { name: 'project', id: project[1], section: 'footage' };
  }
  if (/^\/trash\/?$/.test(path)) return { name: 'trash' };
  return { name: 'library' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'library':
      return '#/';
    case 'trash':
      return '#/trash';
    case 'project':
      if (route.section === 'viewport') return `#/project/${route.id}/viewport/${route.avatarId ?? ''}`;
      if (route.section === 'live' || route.section === 'texture' || route.section === 'training')
        return `#/project/${route.id}/${route.section}${route.avatarId ? `/${route.avatarId}` : ''}`;
      if (route.section === 'tracking' || route.section === 'export') return `#/project/${route.id}/${route.section}`;
      return `#/project/${route.id}${route.section ? `/${route.section}${route.captureId ? `/${route.captureId}` : ''}` : ''}`;
  }
}

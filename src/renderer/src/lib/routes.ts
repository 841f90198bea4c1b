/**
 * Hash routes, so a reload keeps the page: `#/`, `#/trash`, `#/project/<id>[/footage[/<captureId>]]`,
 * `#/project/<id>/viewport/<avatarId>`, `#/project/<id>/live/<avatarId>`, `#/project/<id>/texture/<avatarId>`, `#/project/<id>/training[/<avatarId>]` (an avatar's
 * report). Pure, no DOM.
 */
export type ProjectSection = 'footage' | 'viewport' | 'training' | 'live' | 'texture';
export type Route = { name: 'library' } | { name: 'trash' } | { name: 'project'; id: string; section?: ProjectSection; captureId?: string; avatarId?: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const viewport = /^\/project\/([0-9a-f]{32})\/viewport\/([0-9a-f]{32})\/?$/.exec(path);
  if (viewport) return { name: 'project', id: viewport[1], section: 'viewport', avatarId: viewport[2] };
  const live = /^\/project\/([0-9a-f]{32})\/live\/([0-9a-f]{32})\/?$/.exec(path);
  if (live) return { name: 'project', id: live[1], section: 'live', avatarId: live[2] };
  const texture = /^\/project\/([0-9a-f]{32})\/texture\/([0-9a-f]{32})\/?$/.exec(path);
  if (texture) return { name: 'project', id: texture[1], section: 'texture', avatarId: texture[2] };
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
      if (route.section === 'live') return `#/project/${route.id}/live/${route.avatarId ?? ''}`;
      if (route.section === 'texture') return `#/project/${route.id}/texture/${route.avatarId ?? ''}`;
      if (route.section === 'training') return `#/project/${route.id}/training${route.avatarId ? `/${route.avatarId}` : ''}`;
      return `#/project/${route.id}${route.section ? `/${route.section}${route.captureId ? `/${route.captureId}` : ''}` : ''}`;
  }
}

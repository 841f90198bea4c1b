/** Hash routes, so a reload keeps the page: `#/`, `#/trash`, `#/project/<id>`. Pure, no DOM. */
export type Route = { name: 'library' } | { name: 'trash' } | { name: 'project'; id: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const project = /^\/project\/([0-9a-f]{32})\/?$/.exec(path);
  if (project) return { name: 'project', id: project[1] };
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
      return `#/project/${route.id}`;
  }
}

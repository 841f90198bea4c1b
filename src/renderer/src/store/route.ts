import { create } from 'zustand';

/** Hash routes, so a reload keeps the page: `#/`, `#/trash`, `#/project/<id>`. */
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

interface RouteState {
  route: Route;
}

export const useRouteStore = create<RouteState>(() => ({ route: parseHash(location.hash) }));

window.addEventListener('hashchange', () => useRouteStore.setState({ route: parseHash(location.hash) }));

export function navigate(route: Route): void {
  const href = hrefOf(route);
  if (location.hash !== href) location.hash = href;
  useRouteStore.setState({ route });
}

export const useRoute = () => useRouteStore((s) => s.route);

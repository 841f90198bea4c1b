import { create } from 'zustand';
import { hrefOf, parseHash, type Route } from '@shared/routes';

export { hrefOf, type Route };

interface RouteState {
  route: Route;
}

/** The current page, kept in the URL hash (reload and back/forward work). */
export const useRouteStore = create<RouteState>(() => ({ route: parseHash(location.hash) }));

window.addEventListener('hashchange', () => useRouteStore.setState({ route: parseHash(location.hash) }));

export function navigate(route: Route): void {
  const href = hrefOf(route);
  if (location.hash !== href) location.hash = href;
  useRouteStore.setState({ route });
}

export const useRoute = () => useRouteStore((s) => s.route);

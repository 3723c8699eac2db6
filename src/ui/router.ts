/** Hash routes: the app is one page served offline by the service worker, so no server routes exist. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'intake' }
  | { name: 'list'; when?: string }
  | { name: 'dossier'; id: string }
  | { name: 'dashboard' }
  | { name: 'register' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head = '', ...rest] = path.split('/');
  switch (head) {
    case 'list':
      return rest[0] ? { name: 'list', when: rest[0] } : { name: 'list' };
    case 'dossier': {
      const id = decodeURIComponent(rest.join('/'));
      return id === '' ? { name: 'list' } : { name: 'dossier', id };
    }
    case 'dashboard':
      return { name: 'dashboard' };
    case 'register':
      return { name: 'register' };
    default:
      return { name: 'intake' };
  }
}

export function href(route: Route): string {
  if (route.name === 'dossier') return `#/dossier/${encodeURIComponent(route.id)}`;
  if (route.name === 'list' && route.when !== undefined) return `#/list/${route.when}`;
  return `#/${route.name}`;
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/**
 * Screens off the first screen's path (dossier, forms, dashboard) load on demand, so the intake form
 * starts with little JavaScript. The chunks are precached by the service worker: this works offline.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n/core.ts';

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> & { preload: () => void } {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const start = (): Promise<ComponentType<P>> => {
    pending ??= load().then(
      (c) => (loaded = c),
      (e: unknown) => {
        pending = null; // let a later visit try again
        throw e;
      },
    );
    return pending;
  };
  function Lazy(props: P) {
    const [C, setC] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (C !== null) return;
      let live = true;
      start().then(
        (c) => live && setC(() => c),
        (e: unknown) => {
          console.error('lazy screen failed to load', e);
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (failed) return <p class="error" role="alert">{t('app.chunkFailed')}</p>;
    return C === null ? <p class="loading">{t('app.loading')}</p> : <C {...props} />;
  }
  return Object.assign(Lazy, { preload: () => void start().catch(() => undefined) });
}

/**
 * "BẢN DÙNG THỬ (DEMO)" on every screen while the server runs in demo mode (`npm start`), so nobody
 * takes in a real citizen's dossier on demo data. The page learns the mode from GET /api/health
 * (`demo`) when online and remembers it in localStorage (a non-secret flag), so the banner is there
 * offline too, from the enrollment screen on. It has its own root beside the app's (index.html), so
 * every screen of App shows it whatever it renders.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { PATHS } from '../../protocol/constants.ts';
import { afterFirstScreen } from '../first-screen.ts';
import { t } from '../i18n/demo.ts';
import { useLocale } from '../i18n/index.ts';
import './demo-banner.css';

const STORAGE_KEY = 'motcua.demo';

function remembered(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

function remember(demo: boolean): void {
  try {
    if (demo) localStorage.setItem(STORAGE_KEY, '1');
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // A profile without storage still shows the banner while online.
  }
}

/** The server's answer, or null when it cannot be asked (offline, an old server): keep what we know. */
async function askServer(): Promise<boolean | null> {
  try {
    const res = await fetch(PATHS.health, { cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as { demo?: unknown };
    return typeof body.demo === 'boolean' ? body.demo : null;
  } catch {
    return null;
  }
}

export function DemoBanner() {
  useLocale();
  const [demo, setDemo] = useState(remembered);
  useEffect(() => {
    let live = true;
    const check = (): void => {
      void askServer().then((answer) => {
        if (!live || answer === null) return;
        remember(answer);
        setDemo(answer);
      });
    };
    // After the first screen: the banner never delays the intake form.
    void afterFirstScreen().then(check);
    window.addEventListener('online', check);
    return () => {
      live = false;
      window.removeEventListener('online', check);
    };
  }, []);
  if (!demo) return null;
  return (
    <p class="demo-banner" role="note" title={t('demo.detail')} data-testid="demo-banner">
      {t('demo.banner')}
    </p>
  );
}

/** Renders the banner into its own root (`#demo-banner` in index.html, made if missing). */
export function mountDemoBanner(): void {
  let root = document.getElementById('demo-banner');
  if (root === null) {
    root = document.createElement('div');
    root.id = 'demo-banner';
    document.body.prepend(root);
  }
  render(<DemoBanner />, root);
}

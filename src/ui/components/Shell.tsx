/** The frame around every screen: who and where, sync state, what is not yet at the data center. */
import { useMemo } from 'preact/hooks';
import type { DeviceSummary, Session, SyncStatus } from '../../worker/types.ts';
import { t } from '../i18n/core.ts';
import { useLocale } from '../i18n/index.ts';
import { lazy } from '../lazy.tsx';
import { useLive } from '../live.ts';
import { canSee, type Screen } from '../roles.ts';
import { useRoute, type Route } from '../router.ts';
import { IntakeScreen } from '../screens/IntakeScreen.tsx';
import type { StorageHealth } from '../storage.ts';
import { DueAlerts } from './DueAlerts.tsx';
import { LangSwitch } from './LangSwitch.tsx';
import { NotifyButton } from './NotifyButton.tsx';
import { SetAsideCount, SetAsideNotice } from './SetAside.tsx';

const ListScreen = lazy(() => import('../screens/ListScreen.tsx').then((m) => m.ListScreen));
const DossierScreen = lazy(() => import('../dossier/DossierScreen.tsx').then((m) => m.DossierScreen));
const DashboardScreen = lazy(() => import('../dashboard/DashboardScreen.tsx').then((m) => m.DashboardScreen));
const RegisterScreen = lazy(() => import('../forms/RegisterScreen.tsx').then((m) => m.RegisterScreen));

interface Props {
  device: DeviceSummary;
  session: Session;
  status: SyncStatus | null;
  storage: StorageHealth | null;
  applyUpdate: (() => void) | null;
  locked: boolean;
  onLock: () => void;
  onLogout: () => void;
}

const NAV: readonly { screen: Screen; testId: string }[] = [
  { screen: 'intake', testId: 'nav-intake' },
  { screen: 'list', testId: 'nav-list' },
  { screen: 'register', testId: 'nav-register' },
  { screen: 'dashboard', testId: 'nav-dashboard' },
];

function body(route: Route, session: Session, device: DeviceSummary) {
  if (!canSee(session.role, route.name)) {
    return (
      <main class="card" data-testid="forbidden">
        <p role="alert">{t('shell.forbidden')}</p>
      </main>
    );
  }
  switch (route.name) {
    case 'intake':
      return <IntakeScreen device={device} />;
    case 'list':
      return <ListScreen when={route.when} />;
    case 'dossier':
      return <DossierScreen id={route.id} session={session} device={device} />;
    case 'dashboard':
      return <DashboardScreen />;
    case 'register':
      return <RegisterScreen device={device} />;
  }
}

export function Shell({ device, session, status, storage, applyUpdate, locked, onLock, onLogout }: Props) {
  const route = useRoute();
  // Read from the database, not from the sync status: it is right in every tab and while offline.
  const pending = useLive((db) => db.outbox.count(), [], 0, true);
  const phase = status?.phase ?? 'connecting';
  const current: Screen = route.name === 'dossier' ? 'list' : route.name;
  // The sync status and the pending count change with every intake: they re-render the header, not
  // the screen (on a slow laptop, re-rendering the intake form costs tens of ms each time).
  // The language is a dependency too: a kept screen would otherwise stay in the old one after a switch.
  const lang = useLocale();
  const screen = useMemo(() => body(route, session, device), [route, session, device, lang]);

  return (
    <div class="shell" inert={locked} aria-hidden={locked ? 'true' : undefined}>
      <header class="topbar no-print">
        <div class="who" data-testid="shell-who">
          <strong>{device.unitName}</strong> · {session.displayName} <span class="role">({t(`role.${roleKey(session.role)}`)})</span>
        </div>
        <nav aria-label={t('shell.nav')}>
          {NAV.filter((n) => canSee(session.role, n.screen)).map((n) => (
            <a key={n.screen} href={`#/${n.screen}`} data-testid={n.testId} aria-current={current === n.screen ? 'page' : undefined}>
              {t(`nav.${n.screen}`)}
            </a>
          ))}
        </nav>
        <div class="sync" data-testid="sync-status" data-state={phase} role="status">
          <span class={`dot ${phase}`} aria-hidden="true" /> {t(`sync.${phase}`)}
          {status?.reason === 'revoked' && ` ${t('sync.revoked')}`}
          {status?.reason === 'outdated' && ` ${t('sync.outdated')}`}
          {status?.reason === 'unauthorized' && ` ${t('sync.unauthorized')}`}
        </div>
        <div class="pending" title={t('shell.pendingTitle')}>
          {t('shell.pending')} <strong data-testid="pending-count">{pending}</strong>
        </div>
        <SetAsideCount />
        <LangSwitch />
        <NotifyButton />
        <button type="button" class="link" data-testid="lock-button" onClick={onLock} title={t('shell.lockTitle')}>
          {t('shell.lock')}
        </button>
        <button type="button" class="link" data-testid="logout-button" onClick={onLogout}>
          {t('shell.logout')}
        </button>
      </header>
      {storage !== null && storage.persisted === false && (
        <p class="warning no-print" role="alert" data-testid="storage-warning">
          {t('shell.storageNotPersisted')}
        </p>
      )}
      {storage?.lowSpace === true && (
        <p class="warning no-print" role="alert" data-testid="storage-low">
          {storage.probeRefused
            ? t('shell.storageAlmostFull', { mb: Math.max(1, Math.round(storage.free / 1048576)) })
            : t('shell.storageLow', { mb: Math.round(storage.free / 1048576) })}
        </p>
      )}
      {applyUpdate !== null && (
        <p class="info no-print" data-testid="update-prompt">
          {t('shell.updateReady')}{' '}
          <button type="button" data-testid="update-reload" onClick={applyUpdate}>
            {t('shell.reload')}
          </button>
        </p>
      )}
      <SetAsideNotice />
      <DueAlerts session={session} />
      {screen}
    </div>
  );
}

function roleKey(role: string): 'counter' | 'processing' | 'leader' | 'other' {
  return role === 'counter' || role === 'processing' || role === 'leader' ? role : 'other';
}

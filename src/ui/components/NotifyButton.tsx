/** Asks for system notifications from a button (never on load); hidden once the officer has answered. */
import { useState } from 'preact/hooks';
import { t } from '../i18n/core.ts';

export function NotifyButton() {
  const [permission, setPermission] = useState(() => ('Notification' in window ? Notification.permission : 'denied'));
  if (permission !== 'default') return null;
  return (
    <button
      type="button"
      class="link"
      data-testid="notify-enable"
      onClick={() => {
        void Notification.requestPermission().then(setPermission);
      }}
    >
      {t('alert.enableNotifications')}
    </button>
  );
}

/**
 * What each role sees. The worker decides which workflow actions an officer may take (view.allowed);
 * this only decides which screens are offered. Intake stays open to every role: the shell's intake
 * link is also how the app (and its tests) know the shell is up.
 */
export type Screen = 'intake' | 'list' | 'dossier' | 'register' | 'dashboard';

export function canSee(role: string, screen: Screen): boolean {
  switch (screen) {
    case 'intake':
    case 'list':
    case 'dossier':
    case 'register':
      return true;
    case 'dashboard':
      return role === 'leader';
  }
}

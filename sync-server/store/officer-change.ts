/** An admin's change applied to an officer, the same way in every store (S23). */
import type { Officer, OfficerChange } from './types.ts';

export function applyOfficerChange(prev: Officer, change: OfficerChange): Officer {
  return {
    ...prev,
    ...(change.role === undefined ? {} : { role: change.role }),
    ...(change.displayName === undefined ? {} : { displayName: change.displayName }),
    ...(change.disabledAt === undefined ? {} : { disabledAt: change.disabledAt }),
    ...(change.password === undefined ? {} : { salt: change.password.salt, hash: change.password.hash, iterations: change.password.iterations }),
  };
}

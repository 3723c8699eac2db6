/** Dossier fields the sync and store tests do not look at, with plausible values. */
export const EXTRA_FIELDS = {
  email: '',
  vneidVerified: true,
  residence: '20209',
  processingDays: 3,
  processingHours: 0,
  sameDay15h: false,
  dueAt: 0,
};

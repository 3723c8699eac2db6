/** One component per form of Circular 03/2025 (Mẫu 01-07), each rendering the domain's view model. */
import {
  apologyForm,
  controlSheetForm,
  receiptForm,
  refusalForm,
  registerForm,
  stopNoticeForm,
  supplementRequestForm,
  type DossierSnapshot,
  type RegisterRow,
} from '../../domain/forms/index.ts';
import { FormSheet } from './FormSheet.tsx';

/** The receipt's test contract (tests/e2e/support/pages.ts) on whichever form an intake ends with. */
const INTAKE_IDS = { code: 'receipt-code', applicant: 'receipt-applicant', receivedAt: 'receipt-received-at', qr: 'receipt-qr', dueAt: 'receipt-due-at' };

export const Form01 = ({ s }: { s: DossierSnapshot }) => <FormSheet view={receiptForm(s)} options={{ tablesAfter: 'vneid', testIds: INTAKE_IDS }} />;

export const Form02 = ({ s }: { s: DossierSnapshot }) => (
  <FormSheet view={supplementRequestForm(s)} options={{ tablesAfter: 'requestedAt', testIds: { ...INTAKE_IDS, reason: 'form-reason' } }} />
);

export const Form03 = ({ s }: { s: DossierSnapshot }) => <FormSheet view={refusalForm(s)} options={{ testIds: { ...INTAKE_IDS, reason: 'form-reason' } }} />;

export const Form04 = ({ s }: { s: DossierSnapshot }) => (
  <FormSheet view={apologyForm(s)} options={{ testIds: { newDueAt: 'form-new-due', previousDueAt: 'form-old-due', reason: 'form-reason' } }} />
);

export const Form05 = ({ s }: { s: DossierSnapshot }) => <FormSheet view={stopNoticeForm(s)} options={{ testIds: { reason: 'form-reason' } }} />;

export const Form06 = ({ s }: { s: DossierSnapshot }) => <FormSheet view={controlSheetForm(s)} />;

export const Form07 = ({ rows, day, unitName }: { rows: readonly RegisterRow[]; day: string; unitName: string }) => (
  <FormSheet view={registerForm(rows, day, unitName)} options={{ wide: true, testIds: { count: 'form-count' } }} />
);

/** The seven forms of Circular 03/2025/TT-VPCP as view models (see model.ts for what is reconstructed). */
export {
  NATIONAL_HEADING,
  dataNum,
  dataStr,
  date,
  dateTime,
  fieldValue,
  missingOf,
  placeOf,
  timeliness,
  type DossierSnapshot,
  type FormField,
  type FormNo,
  type FormTable,
  type FormView,
} from './model.ts';
export { receiptForm, refusalForm, supplementRequestForm } from './intake-forms.ts';
export { apologyForm, bodiesAt, controlSheetForm, dueBefore, eventDetail, stopNoticeForm } from './processing-forms.ts';
export { REGISTER_COLUMNS, registerCsv, registerForm, registerRows, type RegisterRow } from './register.ts';

/**
 * The intake form's state and its translation to the worker's IntakeInput. Kept apart from the view
 * so the three ways out (receive, supplement, refuse) build the same input.
 */
import { componentSpecsOf, type CopyKind, type Procedure } from '../../domain/catalog.ts';
import { intakeOutcome } from '../../domain/intake.ts';
import type { IntakeInput } from '../../worker/types.ts';

export { COPY_KINDS, type CopyKind } from '../../domain/catalog.ts';

/** The residence select's value for "somewhere else": any-center intake takes anyone. */
export const ELSEWHERE = '__elsewhere__';

export interface ComponentState {
  received: boolean;
  copyKind: CopyKind;
  count: number;
  /** false: does not apply to this applicant (e.g. "trường hợp mang thai hộ"), so not required. */
  applicable: boolean;
}

export interface FormState {
  procedureCode: string;
  name: string;
  cccd: string;
  vneidVerified: boolean;
  phone: string;
  email: string;
  address: string;
  /** A unit code, or ELSEWHERE. */
  residence: string;
  residenceOther: string;
  components: ComponentState[];
}

export function emptyForm(defaultUnit: string): FormState {
  return {
    procedureCode: '',
    name: '',
    cccd: '',
    vneidVerified: false,
    phone: '',
    email: '',
    address: '',
    residence: defaultUnit,
    residenceOther: '',
    components: [],
  };
}

/** A catalog entry's component names, in the catalog's order. */
export function componentNames(p: Procedure | undefined): string[] {
  return p === undefined ? [] : [...p.components];
}

/** The checklist of a newly chosen procedure: nothing ticked yet, each as the catalog asks for it. */
export function freshComponents(p: Procedure | undefined): ComponentState[] {
  return p === undefined ? [] : componentSpecsOf(p).map((s) => ({ received: false, copyKind: s.copyKind, count: s.count, applicable: true }));
}

export const DEFAULT_COMPONENT: ComponentState = { received: false, copyKind: 'original', count: 1, applicable: true };

export function toInput(form: FormState, proc: Procedure | undefined): IntakeInput {
  const names = componentNames(proc);
  return {
    procedureCode: form.procedureCode,
    applicant: {
      name: form.name,
      cccd: form.cccd,
      phone: form.phone,
      email: form.email,
      address: form.address,
      vneidVerified: form.vneidVerified,
      residence: form.residence === ELSEWHERE ? { elsewhere: form.residenceOther } : { unit: form.residence },
    },
    components: names.map((name, i) => {
      const c = form.components[i] ?? DEFAULT_COMPONENT;
      return c.applicable
        ? { name, received: c.received, copyKind: c.copyKind, count: c.count }
        : { name, received: c.received, copyKind: c.copyKind, count: c.count, applicable: false };
    }),
  };
}

/**
 * Everything missing, as the domain lists it for Mẫu 02 (not ticked, or a weaker copy or fewer than
 * the catalog asks for): the starting point of a supplement request.
 */
export function missingOf(form: FormState, proc: Procedure | undefined): string[] {
  if (proc === undefined) return [];
  const o = intakeOutcome(toInput(form, proc), proc);
  return o.kind === 'complete' ? [] : o.missing;
}

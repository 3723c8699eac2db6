/** The applicant (người nộp hồ sơ): identity checked as typed, contact, and residence (any-center intake). */
import { cccdMessage, checkCccd, type CccdProblem } from '../../domain/cccd.ts';
import { useMemo } from 'preact/hooks';
import { locale } from '../i18n/index.ts';
import { ti } from '../i18n/intake.ts';
import { UNIT_TYPES, useUnits } from '../units.ts';
import { ELSEWHERE, type FormState } from './model.ts';

const CCCD_EN: Record<CccdProblem, string> = {
  empty: 'Enter the CCCD number',
  not_digits: 'A CCCD number has digits only',
  length: 'A CCCD number has exactly 12 digits',
  province: 'The first three digits are not a valid province code',
  century: 'The fourth digit (century and gender) is not valid',
  future_birth: 'The birth year in the CCCD number has not come yet',
  birth_year_mismatch: 'The birth year in the CCCD number does not match the declared one',
};

/** The domain's check and its Vietnamese message (English when the UI is in English). */
function cccdHint(value: string): { ok: true; text: string } | { ok: false; text: string } | null {
  if (value.trim() === '') return null;
  const c = checkCccd(value, { now: Date.now() });
  if (!c.ok) return { ok: false, text: locale() === 'vi' ? cccdMessage(c.reason) : CCCD_EN[c.reason] };
  return { ok: true, text: ti('cccd.info', { gender: ti(c.gender === 'male' ? 'cccd.male' : 'cccd.female'), year: c.birthYear, province: c.provinceName }) };
}

interface Props {
  form: FormState;
  set: (patch: Partial<FormState>) => void;
  errors: Record<string, string>;
  /** Whether the CCCD was left once (show its check from then on, not at the first digit). */
  cccdTouched: boolean;
  onCccdBlur: () => void;
}

export function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (text === undefined) return null;
  return (
    <span class="field-error" data-testid="field-error" id={`err-${id}`}>
      {text}
    </span>
  );
}

export function ApplicantFields({ form, set, errors, cccdTouched, onCccdBlur }: Props) {
  const units = useUnits();
  const lang = locale();
  // 95 options: built once, not diffed again on every key typed in the form.
  const unitOptions = useMemo(
    () => (
      <>
        {UNIT_TYPES.map((type) => (
          <optgroup key={type} label={ti(`intake.unitType.${type}`)}>
            {units
              .filter((u) => u.type === type)
              .map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name}
                </option>
              ))}
          </optgroup>
        ))}
      </>
    ),
    [units, lang],
  );
  const hint = cccdTouched ? cccdHint(form.cccd) : null;
  const cccdError = errors['cccd'] ?? (hint !== null && !hint.ok ? hint.text : undefined);
  const described = (key: string, has: boolean): string | undefined => (has ? `err-${key}` : undefined);
  return (
    <fieldset>
      <legend>{ti('intake.applicant')}</legend>
      <div class="grid2">
        <label>
          {ti('intake.name')}
          <input
            data-testid="applicant-name"
            autocomplete="off"
            value={form.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
            aria-invalid={errors['name'] !== undefined}
            aria-describedby={described('name', errors['name'] !== undefined)}
          />
          <FieldError id="name" text={errors['name']} />
        </label>
        <label>
          {ti('intake.cccd')}
          <input
            data-testid="applicant-cccd"
            inputMode="numeric"
            autocomplete="off"
            maxLength={14}
            value={form.cccd}
            onInput={(e) => set({ cccd: e.currentTarget.value })}
            onBlur={onCccdBlur}
            aria-invalid={cccdError !== undefined}
            aria-describedby={cccdError !== undefined ? 'err-cccd' : hint?.ok ? 'cccd-info' : undefined}
          />
          {/* One slot for the check's error or its reading, always there: the form must not shift under the pointer on blur. */}
          {cccdError !== undefined ? (
            <FieldError id="cccd" text={cccdError} />
          ) : (
            <span class="hint slot" id="cccd-info" data-testid="cccd-info">
              {hint?.ok === true ? hint.text : ''}
            </span>
          )}
        </label>
      </div>
      <label class="check">
        <input type="checkbox" data-testid="applicant-vneid" checked={form.vneidVerified} onChange={(e) => set({ vneidVerified: e.currentTarget.checked })} />
        {ti('intake.vneid')}
      </label>
      <div class="grid2">
        <label>
          {ti('intake.phone')}
          <input
            data-testid="applicant-phone"
            inputMode="tel"
            autocomplete="off"
            value={form.phone}
            onInput={(e) => set({ phone: e.currentTarget.value })}
            aria-invalid={errors['phone'] !== undefined}
            aria-describedby={described('phone', errors['phone'] !== undefined)}
          />
          <FieldError id="phone" text={errors['phone']} />
        </label>
        <label>
          {ti('intake.email')}
          <input
            data-testid="applicant-email"
            type="email"
            autocomplete="off"
            value={form.email}
            onInput={(e) => set({ email: e.currentTarget.value })}
            aria-invalid={errors['email'] !== undefined}
            aria-describedby={described('email', errors['email'] !== undefined)}
          />
          <FieldError id="email" text={errors['email']} />
        </label>
      </div>
      <label>
        {ti('intake.address')}
        <input
          data-testid="applicant-address"
          autocomplete="off"
          value={form.address}
          onInput={(e) => set({ address: e.currentTarget.value })}
          aria-invalid={errors['address'] !== undefined}
          aria-describedby={described('address', errors['address'] !== undefined)}
        />
        <FieldError id="address" text={errors['address']} />
      </label>
      <div class="grid2">
        <label>
          {ti('intake.residence')}
          <select
            data-testid="applicant-residence"
            value={form.residence}
            onChange={(e) => set({ residence: e.currentTarget.value })}
            aria-invalid={errors['residence'] !== undefined}
            aria-describedby={described('residence', errors['residence'] !== undefined)}
          >
            {units.length === 0 && form.residence !== ELSEWHERE && <option value={form.residence}>{ti('intake.unitsLoading')}</option>}
            {unitOptions}
            <option value={ELSEWHERE}>{ti('intake.residenceOther')}</option>
          </select>
          <FieldError id="residence" text={errors['residence']} />
        </label>
        {form.residence === ELSEWHERE && (
          <label>
            {ti('intake.residenceOtherText')}
            <input
              data-testid="applicant-residence-other"
              value={form.residenceOther}
              onInput={(e) => set({ residenceOther: e.currentTarget.value })}
              aria-invalid={errors['residence'] !== undefined}
            />
          </label>
        )}
      </div>
    </fieldset>
  );
}

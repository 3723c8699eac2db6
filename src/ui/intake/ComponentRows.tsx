/** The procedure's checklist: each document ticked when received, with its kind of copy and count. */
import { ti } from '../i18n/intake.ts';
import { FieldError } from './ApplicantFields.tsx';
import { COPY_KINDS, DEFAULT_COMPONENT, type ComponentState, type CopyKind } from './model.ts';

interface Props {
  names: string[];
  value: ComponentState[];
  onChange: (next: ComponentState[]) => void;
  /** What the domain says is still missing (intakeOutcome). */
  missing: string[];
  error: string | undefined;
}

export function ComponentRows({ names, value, onChange, missing, error }: Props) {
  const update = (i: number, patch: Partial<ComponentState>): void => {
    const next = names.map((_, j) => value[j] ?? DEFAULT_COMPONENT);
    const cur = next[i];
    if (cur !== undefined) next[i] = { ...cur, ...patch };
    onChange(next);
  };
  return (
    <fieldset data-testid="components">
      <legend>{ti('intake.components')}</legend>
      {names.length === 0 ? (
        <p class="muted">{ti('intake.noComponents')}</p>
      ) : (
        <>
          <p class="muted">{ti('intake.componentsHelp')}</p>
          <table class="components">
            <thead>
              <tr>
                <th scope="col">{ti('intake.col.name')}</th>
                <th scope="col">{ti('intake.col.copyKind')}</th>
                <th scope="col">{ti('intake.col.count')}</th>
                <th scope="col">{ti('intake.col.na')}</th>
              </tr>
            </thead>
            <tbody>
              {names.map((name, i) => {
                const c = value[i] ?? DEFAULT_COMPONENT;
                return (
                  <tr key={name} data-testid="component-row">
                    <td>
                      <label class="check">
                        <input
                          type="checkbox"
                          data-testid="component-checkbox"
                          checked={c.received}
                          onChange={(e) => update(i, { received: e.currentTarget.checked })}
                        />
                        {name}
                      </label>
                    </td>
                    <td>
                      <select
                        data-testid="component-copykind"
                        aria-label={ti('intake.copyKindOf', { name })}
                        value={c.copyKind}
                        onChange={(e) => update(i, { copyKind: e.currentTarget.value as CopyKind })}
                      >
                        {COPY_KINDS.map((k) => (
                          <option key={k} value={k}>
                            {ti(`copy.${k}`)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        type="number"
                        class="count"
                        data-testid="component-count"
                        aria-label={ti('intake.countOf', { name })}
                        min={1}
                        max={99}
                        value={c.count}
                        onInput={(e) => {
                          const n = Number(e.currentTarget.value);
                          if (Number.isInteger(n) && n >= 1) update(i, { count: n });
                        }}
                      />
                    </td>
                    <td class="center">
                      <input
                        type="checkbox"
                        data-testid="component-na"
                        aria-label={ti('intake.naOf', { name })}
                        checked={!c.applicable}
                        onChange={(e) => update(i, { applicable: !e.currentTarget.checked })}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p class={missing.length > 0 ? 'muted' : 'ok'} data-testid="components-missing" data-missing={missing.length} aria-live="polite">
            {missing.length > 0 ? ti('intake.missingList', { list: missing.join('; ') }) : ti('intake.complete')}
          </p>
        </>
      )}
      <FieldError id="components" text={error} />
    </fieldset>
  );
}

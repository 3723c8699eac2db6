/**
 * Focus on mount, for keyboard-only work. The HTML autofocus attribute only acts once per page load,
 * not on elements a screen inserts later (a receipt, a panel, a form), so screens pass this as a ref.
 * It must stay one stable function: Preact calls a ref again whenever the function changes.
 */
export function focusOnMount(el: HTMLElement | null): void {
  el?.focus();
}

/**
 * The first screen's moment. What the page needs only later (Dexie for the shell's counters and alerts,
 * the working-time calendar, the service worker's update check) waits for it, so that on a slow laptop
 * the intake form is usable before those libraries are fetched, parsed and run (product brief: under
 * 1 s, under 60 KB of main-thread JavaScript before it).
 *
 * The first screen says it is shown: the intake form once its procedure list is there, the enroll and
 * login forms, any other screen once its first live query answered. Never later than FALLBACK_MS.
 */
const FALLBACK_MS = 4000;

let release: () => void = () => undefined;
const shown = new Promise<void>((resolve) => {
  release = resolve;
});
let marked = false;
setTimeout(() => release(), FALLBACK_MS);

/** Called by the screen the app starts on, once it is usable; the deferred work starts after its frame. */
export function firstScreenShown(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => setTimeout(release, 0));
}

export function afterFirstScreen(): Promise<void> {
  return shown;
}

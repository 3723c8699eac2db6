/**
 * The printed tables: the headline figures (PostgreSQL's, as the issue asks) each next to its target,
 * then every figure side by side for the configurations that ran. The JSON keeps the flat keys.
 */
import { TARGETS, type ConfigName } from './config.ts';
import type { Figure } from './figures.ts';

function met(t: ['<' | '<=' | '>=', number], v: number): boolean {
  return t[0] === '<=' ? v <= t[1] : t[0] === '<' ? v < t[1] : v >= t[1];
}

function target(key: string): string {
  const t = TARGETS[key];
  return t === undefined ? '' : `${t[0]} ${t[1].toLocaleString('en')}`;
}

function show(v: Figure | undefined, key: string): string {
  if (v === undefined) return '';
  if (typeof v !== 'number') return String(v);
  const t = TARGETS[key];
  const text = v.toLocaleString('en');
  return t === undefined ? text : `${text} ${met(t, v) ? 'met' : '**missed**'}`;
}

export function headlineTable(results: Readonly<Record<string, Figure>>, keys: readonly string[]): string {
  const lines = ['| key | value | target |', '|---|---|---|'];
  for (const k of keys) if (results[k] !== undefined) lines.push(`| ${k} | ${show(results[k], k)} | ${target(k)} |`);
  return lines.join('\n');
}

export function sideBySide(byConfig: Partial<Record<ConfigName, Record<string, Figure>>>, configs: readonly ConfigName[]): string {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(byConfig[c] ?? {})))];
  const lines = [`| figure | ${configs.join(' | ')} | target |`, `|---|${configs.map(() => '---|').join('')}---|`];
  for (const k of keys) lines.push(`| ${k} | ${configs.map((c) => show(byConfig[c]?.[k], k)).join(' | ')} | ${target(k)} |`);
  return lines.join('\n');
}

import { useEffect, useState } from 'preact/hooks';
import { en, type Messages } from './en.js';
import { zhCN } from './zh-CN.js';

/**
 * Two languages, one set of keys: zh-CN is typed against en, so a missing translation fails the build.
 * Messages take `{name}` placeholders.
 */

export type Lang = 'zh-CN' | 'en';
export type MessageKey = keyof Messages;

const dictionaries: Record<Lang, Messages> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'weisu.lang';

function initial(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let lang: Lang = initial();
const listeners = new Set<(l: Lang) => void>();
document.documentElement.lang = lang;

export function getLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem(STORAGE_KEY, l);
  document.documentElement.lang = l;
  listeners.forEach((fn) => fn(l));
}

/** Re-renders the caller when the language changes. */
export function useLang(): Lang {
  const [l, set] = useState(lang);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return l;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const msg = dictionaries[lang][key] ?? en[key] ?? key;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** A value coming from the server (state, kind, status) shown in the current language when known. */
export function tv(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  return key in en ? t(key) : value;
}

/**
 * One unambiguous form in both languages (2026-11-26 08:50:28) that operators compare across screens,
 * in the camera's time zone when given (what the street's clocks showed), else the browser's.
 */
export function fmtDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** A chart axis day: `11-26`, and the weekday on a second line when asked. */
export function fmtDay(iso: string, withWeekday = false): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const md = `${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return withWeekday ? `${md}\n${d.toLocaleDateString(lang, { weekday: 'short' })}` : md;
}

/** "3 h 12 min" style durations, for ages and SLA countdowns. */
export function fmtDuration(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d > 0) return t('dur.dh', { d, h });
  if (h > 0) return t('dur.hm', { h, m: min });
  return t('dur.m', { m: min });
}

export function fmtNumber(n: number): string {
  return n.toLocaleString(lang);
}

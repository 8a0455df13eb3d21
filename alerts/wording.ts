import type { IncidentKind } from '../core/types.js';

/**
 * The words weisu uses about an incident, in Chinese and English, shared by the evidence caption, the
 * case description and the crews' messages so they always agree.
 */
export const KIND_WORDS: Record<IncidentKind, { zh: string; en: string; durationZh: string; durationEn: string; category: 'illegal_parking' | 'bin_overflow' }> = {
  no_parking: { zh: '违章停车', en: 'Illegal parking', durationZh: '停留', durationEn: 'parked for', category: 'illegal_parking' },
  bin_overflow: { zh: '垃圾桶满溢', en: 'Overflowing bin', durationZh: '满溢持续', durationEn: 'overflowing for', category: 'bin_overflow' },
};

/** Frame times below this are media offsets (a replayed file), not wall-clock times. */
const YEAR_2000_MS = 946_684_800_000;

/** `12分30秒` / `12 min 30 s`. */
export function durationWords(ms: number): { zh: string; en: string } {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const zh = `${h ? `${h}小时` : ''}${h || m ? `${m}分` : ''}${sec}秒`;
  const en = [h ? `${h} h` : '', h || m ? `${m} min` : '', `${sec} s`].filter(Boolean).join(' ');
  return { zh, en };
}

/** `2026-11-26 08:13:32` in the camera's time zone, or `media 00:12:30` for a replayed file's offsets. */
export function timeWords(ts: number, timeZone: string): string {
  if (ts < YEAR_2000_MS) {
    const s = Math.floor(ts / 1000);
    return `media ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(ts));
}

/** ISO 8601 of a frame time, or undefined for media offsets. */
export function isoTime(ts: number): string | undefined {
  return ts < YEAR_2000_MS ? undefined : new Date(ts).toISOString();
}

/**
 * A read plate with its combined confidence: `浙G·Z6825（置信度 97%）`, `浙G·Z6825 (97 % confidence)`, and
 * for the evidence caption both at once, `车牌 plate 浙G·Z6825 · 置信度 confidence 97%`.
 */
export function plateWords(plate: { text: string; confidence: number }): { zh: string; en: string; caption: string } {
  const pct = Math.round(plate.confidence * 100);
  return { zh: `${plate.text}（置信度 ${pct}%）`, en: `${plate.text} (${pct} % confidence)`, caption: `车牌 plate ${plate.text} · 置信度 confidence ${pct}%` };
}

import { HOSTILE, type HostileName, type HostileScheme } from './hostile_behaviours.js';

/**
 * The "Behaviours tried" table of docs/security.md, rendered from hostile_behaviours.ts: the same
 * names, descriptions and health reasons test/streams/hostile_camera.test.ts holds each behaviour to,
 * so the table cannot say what the suite does not check. Written by `npm run docs:hostile`, checked by
 * test/streams/hostile_table.test.ts.
 */
export const TABLE_START = '<!-- behaviours:start (npm run docs:hostile) -->';
export const TABLE_END = '<!-- behaviours:end -->';

/** What the live relay does with each kind of camera (the suite checks the close code: 1011 or 4415, with a reason). */
const RELAY: Record<HostileScheme, string> = {
  rtsp: 'ffmpeg (its own RTSP client) ends: 1011 with its last error, or no video within the watchdog',
  snapshot: 'refused before connecting: a snapshot has no video (4415)',
  mjpeg: 'weisu\'s feed: 4415 with the reason if the answer is refused, else 1011 when no picture comes',
  hls: 'weisu\'s feed: 4415 with the reason (playlist refused), or 1011 with the reason (segment refused)',
};

export function renderBehavioursTable(): string {
  const rows = (Object.keys(HOSTILE) as HostileName[]).map((name) => {
    const b = HOSTILE[name];
    return `| \`${name}\` | ${b.does} | ${b.reasons.map((r) => `\`${r}\``).join(', ')} | ${RELAY[b.scheme]} |`;
  });
  return [
    TABLE_START,
    '| behaviour | what the camera does | probe and worker: health reason | live relay |',
    '|---|---|---|---|',
    ...rows,
    TABLE_END,
  ].join('\n');
}

import type { ApiError } from '../api/client.js';
import type { FieldIssue } from '../api/types.js';
import { en } from './en.js';
import { getLang, t, type MessageKey } from './index.js';

/**
 * The server's problems in the console's language. The API words every problem in English for
 * integrators and logs; it also gives a closed `code` per problem and per field issue (with the limit
 * broken), which is what the console translates. The server's own text stays one click away.
 */

const known = (key: string): key is MessageKey => key in en;

/** What went wrong, in a sentence an operator can act on. */
export function problemHeadline(e: ApiError): string {
  if (e.status === 0) return t('error.network');
  const code = e.code ?? '';
  const key = code.startsWith('stream_') ? `stream.${code.slice('stream_'.length)}` : `problem.${code}`;
  return known(key) ? t(key) : t('error.title');
}

/** The last named part of a field path: `zones[0].schedule.windows[1]` → `windows`. */
function leafOf(path: string): string {
  return /([A-Za-z_]+)(?:\[\d+\])*$/.exec(path)?.[1] ?? '';
}

/**
 * One field's issue, without the field's name (it is shown beside its field). English keeps the
 * server's words (already plain, with the limit); zh-CN words it from the code and the limit, with the
 * field's own wording for a value written wrongly (a dwell of 0s says what a dwell must be).
 */
export function issueText(i: FieldIssue): string {
  if (getLang() === 'en') return i.message;
  const own = `issue.field.${leafOf(i.field)}`;
  if ((i.code === 'invalid' || i.code === 'bad_format' || i.code === 'wrong_type') && known(own)) return t(own);
  return t(`issue.${i.code}`, { limit: i.limit ?? '' });
}

/**
 * Licence-plate formats per jurisdiction: what a read must look like to count as a plate, and how it is
 * written on a ticket. A read that fits no enabled format is "unread", never a guess.
 *
 * Patterns run over the recognizer's text in upper case, where every separator or gap it saw (space, dot,
 * the seal between German letter groups) is one space. Formats marked `compact` drop those spaces first.
 */
export interface PlateFormat {
  name: string;
  pattern: RegExp;
  /** Replacement for `pattern` giving the text written on a ticket (`$1`… are the pattern's groups). */
  display: string | ((match: string, ...groups: unknown[]) => string);
  /** Match on the text with the spaces removed (formats whose characters never need a gap to parse). */
  compact: boolean;
  /** Letters the format never uses, read as the digit they resemble (Chinese plates use no I or O). */
  fold?: Record<string, string>;
}

/** The 31 provincial abbreviations of mainland China, the first character of every civil plate. */
const CN_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
/** Last character of special-use plates: trailer, driving school, police, Hong Kong / Macau crossing, consulate. */
const CN_SUFFIXES = '挂学警港澳领';
const CN_LETTER = 'A-HJ-NP-Z';
const CN_FOLD = { O: '0', I: '1' };

export const BUILTIN_FORMATS = {
  /** Mainland China, blue/yellow single-row: 辽F·12345, 浙G·Z6825, 粤B·1234学. Two-row yellow plates are not read. */
  cn: {
    name: 'cn',
    pattern: new RegExp(`^([${CN_PROVINCES}])([${CN_LETTER}])([${CN_LETTER}0-9]{4}[${CN_LETTER}0-9${CN_SUFFIXES}])$`, 'u'),
    display: '$1$2·$3',
    compact: true,
    fold: CN_FOLD,
  },
  /** Mainland China new-energy (green, 8 characters): small 粤B·D12345 / 粤B·DF1234, large 粤B·12345D. */
  cn_nev: {
    name: 'cn_nev',
    pattern: new RegExp(`^([${CN_PROVINCES}])([${CN_LETTER}])([A-HJK][${CN_LETTER}0-9][0-9]{4}|[0-9]{5}[A-HJK])$`, 'u'),
    display: '$1$2·$3',
    compact: true,
    fold: CN_FOLD,
  },
  /** Denmark: two letters, five digits (DR 68651). */
  dk: { name: 'dk', pattern: /^([A-Z]{2})([0-9]{2})([0-9]{3})$/, display: '$1 $2$3', compact: true },
  /**
   * Germany: district (1–3 letters), 1–2 letters, 1–4 digits, optional E/H (RA HN 2112). Needs the gap
   * the seal stickers leave after the district: read without it (RAHN…, or the seal as a letter,
   * RAHHN…) the split is ambiguous, so such a read fits no format and stays unread.
   */
  de: { name: 'de', pattern: /^([A-ZÄÖÜ]{1,3}) ([A-Z]{1,2}) ?([1-9][0-9]{0,3}[EH]?)$/u, display: '$1 $2 $3', compact: false },
  /** France (SIV, since 2009): AB-123-CD. */
  fr: { name: 'fr', pattern: /^([A-HJ-NP-TV-Z]{2})([0-9]{3})([A-HJ-NP-TV-Z]{2})$/, display: '$1-$2-$3', compact: true },
  /** Italy (since 1994): AB 123 CD. */
  it: { name: 'it', pattern: /^([A-HJ-NPR-TV-Z]{2})([0-9]{3})([A-HJ-NPR-TV-Z]{2})$/, display: '$1 $2 $3', compact: true },
  /**
   * Netherlands (sidecodes 4–14, 1978–today): three groups of letters (no vowels) or digits, 6
   * characters, e.g. NX-886-X, 99-XXX-9; the groups are told apart by the gaps or by letter/digit changes.
   */
  nl: {
    name: 'nl',
    pattern: new RegExp(
      `^(?:${['L2 D2 L2', 'L2 L2 D2', 'D2 L2 L2', 'D2 L3 D1', 'D1 L3 D2', 'L2 D3 L1', 'L1 D3 L2', 'L3 D2 L1', 'L1 D2 L3', 'D1 L2 D3', 'D3 L2 D1']
        .map((code) => code.split(' ').map((g) => `(${g[0] === 'D' ? '[0-9]' : '[B-DF-HJ-NP-TV-Z]'}{${g[1]}})`).join(' ?'))
        .join('|')})$`,
    ),
    // The matched alternative's groups (the others are undefined), up to replace()'s offset argument.
    display: (_match: string, ...args: unknown[]) => args.slice(0, args.findIndex((a) => typeof a === 'number')).filter((g) => typeof g === 'string').join('-'),
    compact: false,
  },
  /** Spain (since 2000): 1234 BCD, consonants only. */
  es: { name: 'es', pattern: /^([0-9]{4})([BCDFGHJKLMNPRSTVWXYZ]{3})$/, display: '$1 $2', compact: true },
  /** United Kingdom (since 2001): AB12 CDE. */
  uk: { name: 'uk', pattern: /^([A-HJ-PR-Y][A-HJ-PR-Y])([0-9]{2})([A-HJ-PR-Z]{3})$/, display: '$1$2 $3', compact: true },
  /**
   * Any other alphanumeric plate: 4–10 letters and digits (both present) in up to four groups, kept as
   * read. Opt-in: with no structure to check, it also accepts misreads (a German seal read as a letter).
   */
  eu: {
    name: 'eu',
    pattern: /^(?=(?: ?[A-Z0-9]){4,10}$)(?=.*[0-9])(?=.*[A-Z])[A-Z0-9]+(?: [A-Z0-9]+){0,3}$/,
    display: '$&',
    compact: false,
  },
} satisfies Record<string, PlateFormat>;

export interface FormatMatch {
  format: string;
  /** As written on a ticket, e.g. 浙G·Z6825. */
  text: string;
}

/** The enabled formats, built-in ones first in the configured order, then the custom ones. */
export function enabledFormats(names: readonly string[], custom: readonly { name: string; pattern: string; display: string }[] = []): PlateFormat[] {
  const builtin = names.map((n) => {
    const f = (BUILTIN_FORMATS as Record<string, PlateFormat>)[n];
    if (!f) throw new Error(`unknown plate format "${n}"`);
    return f;
  });
  return [...builtin, ...custom.map((c) => ({ name: c.name, pattern: new RegExp(c.pattern, 'u'), display: c.display, compact: false }))];
}

/** First format the read fits, in order; null when it fits none. `read` uses single spaces for gaps. */
export function matchFormat(read: string, formats: readonly PlateFormat[]): FormatMatch | null {
  const spaced = read.toUpperCase().replace(/\s+/g, ' ').trim();
  for (const f of formats) {
    let text = f.compact ? spaced.replace(/ /g, '') : spaced;
    if (f.fold) text = [...text].map((c) => f.fold![c] ?? c).join('');
    if (f.pattern.test(text)) return { format: f.name, text: typeof f.display === 'string' ? text.replace(f.pattern, f.display) : text.replace(f.pattern, f.display) };
  }
  return null;
}

/**
 * The identity of a plate for matching across frames, cameras and days: letters and digits only, so
 * 浙G·Z6825 and 浙GZ6825, or DR 68651 and DR 68 651, are the same car.
 */
export function plateKey(text: string): string {
  return text.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Every character a plate of these formats can contain, for restricting the recognizer: Latin capitals
 * and digits always, plus every other letter a pattern names literally (the Chinese provinces when a
 * Chinese format is on, Ü for German plates).
 */
export function plateCharacters(formats: readonly PlateFormat[]): Set<string> {
  const chars = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  for (const f of formats) {
    for (const c of f.pattern.source.match(/[^\x00-\x7f]/gu) ?? []) if (/\p{L}/u.test(c)) chars.add(c);
  }
  return chars;
}

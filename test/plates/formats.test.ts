import { describe, expect, it } from 'vitest';
import { platesSchema } from '../../plates/schema.js';
import { BUILTIN_FORMATS, enabledFormats, matchFormat, plateCharacters, plateKey } from '../../plates/formats.js';

const all = enabledFormats(Object.keys(BUILTIN_FORMATS));

describe('matchFormat', () => {
  it.each([
    ['辽F 12345', 'cn', '辽F·12345'],
    ['浙G Z6825', 'cn', '浙G·Z6825'],
    ['浙GZ6825', 'cn', '浙G·Z6825'],
    ['粤B 1234学', 'cn', '粤B·1234学'],
    ['京A O1234', 'cn', '京A·01234'], // Chinese plates use no O: it is a 0
    ['粤B D12345', 'cn_nev', '粤B·D12345'],
    ['粤B DF1234', 'cn_nev', '粤B·DF1234'],
    ['粤B 12345D', 'cn_nev', '粤B·12345D'],
    ['DR 68 651', 'dk', 'DR 68651'],
    ['DR68651', 'dk', 'DR 68651'],
    ['RA HN2112', 'de', 'RA HN 2112'],
    ['M AB 123E', 'de', 'M AB 123E'],
    ['AB12 CDE', 'uk', 'AB12 CDE'],
    ['AB 123 CD', 'fr', 'AB-123-CD'],
    ['1234 BCD', 'es', '1234 BCD'],
    ['NX 886 X', 'nl', 'NX-886-X'],
    ['99 XXX 9', 'nl', '99-XXX-9'],
    ['GB 12 TR', 'nl', 'GB-12-TR'],
    ['K 1234 AB', 'eu', 'K 1234 AB'],
  ])('%s → %s %s', (read, format, text) => {
    expect(matchFormat(read, all)).toEqual({ format, text });
  });

  it.each([
    ['浙G Z682', 'a Chinese plate one character short'],
    ['港G Z6825', 'not a province'],
    ['浙I 12345', 'I is never a Chinese series letter'],
    ['85873688', 'a phone number under the plate (no letters)'],
    ['TEL', 'a word'],
    ['ABCDEFGHIJK12', 'too long'],
    ['', 'nothing'],
    ['RAHHN2112', 'a German plate whose seal was read as a letter: RA·HN or RAH·N?'],
    ['RAHN 2112', 'a German plate read without the gap after its district'],
    ['NX B86 X', 'a Dutch plate with an 8 read as B (letters and digits mixed in a group)'],
  ])('%s does not fit (%s)', (read) => {
    expect(matchFormat(read, enabledFormats(platesSchema.parse({}).formats))).toBeNull();
  });

  it('tries formats in the configured order and only the enabled ones', () => {
    expect(matchFormat('DR 68651', enabledFormats(['cn', 'cn_nev']))).toBeNull();
    expect(matchFormat('DR 68651', enabledFormats(['eu', 'dk']))).toEqual({ format: 'eu', text: 'DR 68651' });
  });

  it('accepts custom formats with their display template', () => {
    const nl = enabledFormats([], [{ name: 'nl', pattern: '^([A-Z]{2}) ?([0-9]{3}) ?([A-Z])$', display: '$1-$2-$3' }]);
    expect(matchFormat('XB 123 Z', nl)).toEqual({ format: 'nl', text: 'XB-123-Z' });
    expect(matchFormat('XB 1234', nl)).toBeNull();
  });
});

describe('plateKey', () => {
  it('ignores separators and case, so the same car matches however it was written', () => {
    expect(plateKey('浙G·Z6825')).toBe(plateKey('浙GZ6825'));
    expect(plateKey('DR 68 651')).toBe(plateKey('dr68651'));
    expect(plateKey('RA HN 2112')).toBe('RAHN2112');
  });
});

describe('plateCharacters', () => {
  it('holds Latin capitals and digits, plus Chinese plate characters only when a Chinese format is on', () => {
    const eu = plateCharacters(enabledFormats(['eu']));
    expect(eu.has('A') && eu.has('7')).toBe(true);
    expect(eu.has('浙')).toBe(false);
    const cn = plateCharacters(enabledFormats(['cn']));
    expect(cn.has('浙') && cn.has('警') && cn.has('学')).toBe(true);
    expect(plateCharacters(enabledFormats(['de'])).has('Ü')).toBe(true);
  });
});

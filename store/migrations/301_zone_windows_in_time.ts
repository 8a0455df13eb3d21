/**
 * `clear_grace` of no-parking zones is a duration only since the rule's meaning stopped depending on the
 * sampling rate (a number counted samples). Zones stored through the API with a number would no longer
 * parse and their camera would be skipped: they get the time that number meant at their camera's
 * `sample_every` (10s when unset, as the schema's default), so nothing an operator set changes meaning.
 */
export const sql = `
UPDATE zones z
SET spec = jsonb_set(
  z.spec,
  '{clear_grace}',
  to_jsonb(
    ((z.spec->>'clear_grace')::numeric * COALESCE(
      (SELECT (m[1])::numeric * CASE m[2] WHEN 'ms' THEN 0.001 WHEN 's' THEN 1 WHEN 'm' THEN 60 WHEN 'h' THEN 3600 ELSE 86400 END
       FROM regexp_match(c.spec->>'sample_every', '^\\s*(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)\\s*$') AS m),
      10
    ))::text || 's'
  )
),
updated_at = now()
FROM cameras c
WHERE c.id = z.camera_id AND z.kind = 'no_parking' AND jsonb_typeof(z.spec->'clear_grace') = 'number';
`;

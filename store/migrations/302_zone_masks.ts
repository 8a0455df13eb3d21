/**
 * Operators' "not a vehicle" verdicts: a place in a no-parking zone where what the detector sees is part
 * of the street (a loudspeaker box called "bus 67%"). Kept apart from the zone's spec so that masks survive
 * the config file rewriting config-managed zones on every start; merged into the zone when cameras are
 * read (store/cameras.ts), which is how they reach the workers. Removing a row undoes the verdict's mask.
 */
export const sql = `
CREATE TABLE zone_masks (
  id bigserial PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
  zone_id text NOT NULL,
  -- [x1, y1, x2, y2] in fractions of the frame
  box jsonb NOT NULL,
  note text,
  incident_id text,
  actor text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX zone_masks_zone ON zone_masks (camera_id, zone_id);
CREATE UNIQUE INDEX zone_masks_incident ON zone_masks (incident_id) WHERE incident_id IS NOT NULL;
`;

/**
 * Plates read on parking incidents: one row per incident, keyed by the plate's letters and digits so
 * the same car matches however the plate was written. `repeat_of` marks an incident that was the same
 * offence as an earlier one (the car moved to the next spot within the cooldown): it got no ticket.
 * `at_ms` is source time (the frame clock), like the incidents' `*_ms`.
 */
export const sql = `
CREATE TABLE plate_sightings (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL UNIQUE,
  plate_key text NOT NULL,
  plate_text text NOT NULL,
  format text NOT NULL,
  confidence real NOT NULL,
  camera_id text NOT NULL,
  zone_id text,
  at_ms bigint NOT NULL,
  repeat_of text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plate_sightings_key_at ON plate_sightings (plate_key, at_ms);
CREATE INDEX plate_sightings_at ON plate_sightings (at_ms);
`;

/**
 * Per-site calibration examples for bin sites: an operator's label on one crop, with the classifier's
 * embedding of it. Embeddings are comparable only within one model, so the model id is part of the key.
 */
export const sql = `
CREATE TABLE calibration_examples (
  id bigserial PRIMARY KEY,
  camera_id text NOT NULL,
  zone_id text NOT NULL,
  label text NOT NULL CHECK (label IN ('normal', 'overflowing')),
  model text NOT NULL,
  -- float32 little-endian, as the model produced it
  embedding bytea NOT NULL,
  -- the crop the operator judged (JPEG), so a label can be reviewed later
  crop bytea NOT NULL,
  source text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calibration_examples_site ON calibration_examples (camera_id, zone_id, model, label);
`;

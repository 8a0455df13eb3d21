/**
 * Reference views: the picture a camera's zones were drawn on, one per PTZ preset ('' for a fixed camera).
 * Retaking a view replaces the row and gives it a new id, so workers' cached features never go stale.
 */
export const sql = `
CREATE TABLE reference_views (
  id bigserial PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
  preset text NOT NULL DEFAULT '',
  jpeg bytea NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  taken_by text NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (camera_id, preset)
);
`;

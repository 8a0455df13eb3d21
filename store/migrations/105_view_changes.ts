/**
 * Camera view changes told to crews' webhooks (a view left its reference or came back: docs/moving-cameras.md).
 * The id is the worker's message id, so a re-delivered message is recorded, and its webhooks queued, once.
 */
export const sql = `
CREATE TABLE view_changes (
  id text PRIMARY KEY,
  camera_id text NOT NULL,
  event text NOT NULL,
  state text NOT NULL,
  reason text,
  since timestamptz NOT NULL,
  picture_sha256 text,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX view_changes_camera ON view_changes (camera_id, since);
`;

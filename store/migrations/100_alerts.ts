/**
 * Incidents, their evidence, their tickets (the outbox: a ticket row is the intent to file, committed
 * with the incident before any call), and webhook deliveries (a second outbox, for crews and oversight).
 * Source times (`*_ms`) are the frames' milliseconds; `*_at` are the store's clock.
 */
export const sql = `
CREATE TABLE incidents (
  id text PRIMARY KEY,
  camera_id text NOT NULL,
  zone_id text NOT NULL,
  kind text NOT NULL,
  mode text NOT NULL,
  state text NOT NULL,
  first_seen_ms bigint NOT NULL,
  confirmed_ms bigint NOT NULL,
  last_seen_ms bigint NOT NULL,
  subject jsonb NOT NULL,
  frame_size jsonb NOT NULL,
  plate jsonb,
  place jsonb,
  evidence_error text,
  recheck_result text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz,
  verified_at timestamptz
);
CREATE INDEX incidents_state ON incidents (state, created_at);
CREATE INDEX incidents_camera ON incidents (camera_id, created_at);

CREATE TABLE evidence (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents(id),
  role text NOT NULL,
  sha256 text NOT NULL,
  bytes integer NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, role)
);

CREATE TABLE tickets (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL UNIQUE REFERENCES incidents(id),
  ref text NOT NULL UNIQUE,
  adapter text NOT NULL,
  state text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  maybe_sent boolean NOT NULL DEFAULT false,
  last_error text,
  request_id text,
  token text,
  case_status text,
  status_notes text,
  expected_at timestamptz,
  filed_at timestamptz,
  closed_at timestamptz,
  polled_at timestamptz,
  reminded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_due ON tickets (state, next_attempt_at);

CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  target text NOT NULL,
  event text NOT NULL,
  body jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);

CREATE TABLE feed_cursors (
  name text PRIMARY KEY,
  last_id bigint NOT NULL
);
`;

/**
 * Cameras and their zones. A camera's settings live in `spec` (the validated camera config, output form,
 * without zones) so the store follows config/schema.ts without a migration per new field; the columns
 * beside it are the ones queried. `managed_by` says who owns the row: `config` rows are rewritten from
 * the YAML file on every start and are read-only through the API, `api` rows persist (store/config_import.ts).
 */
export const sql = `
CREATE TABLE cameras (
  id text PRIMARY KEY,
  spec jsonb NOT NULL,
  enabled boolean NOT NULL,
  managed_by text NOT NULL CHECK (managed_by IN ('config', 'api')),
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE zones (
  camera_id text NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
  id text NOT NULL,
  kind text NOT NULL,
  spec jsonb NOT NULL,
  managed_by text NOT NULL CHECK (managed_by IN ('config', 'api')),
  position integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (camera_id, id)
);
`;

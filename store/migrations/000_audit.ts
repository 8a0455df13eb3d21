/** The audit trail: every state change of anything, append-only (see store/audit.ts). */
export const sql = `
CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  entity text NOT NULL,
  entity_id text NOT NULL,
  action text NOT NULL,
  reason text,
  data jsonb
);
CREATE INDEX audit_entity ON audit (entity, entity_id, id);
`;

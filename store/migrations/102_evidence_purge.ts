/** When an evidence file was deleted by the retention policy (the row stays: the record that it existed). */
export const sql = `
ALTER TABLE evidence ADD COLUMN purged_at timestamptz;
CREATE INDEX evidence_sha ON evidence (sha256);
`;

/**
 * Operators' verdicts on incidents (true or false positive), whatever the alert mode: in review mode the
 * verdict also files or drops the ticket (alerts/review.ts); in auto and shadow mode it only counts
 * toward precision. One verdict per incident.
 */
export const sql = `
CREATE TABLE incident_reviews (
  incident_id text PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  reason text,
  actor text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_reviews_at ON incident_reviews (at);
`;

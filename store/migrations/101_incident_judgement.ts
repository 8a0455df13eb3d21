/**
 * An operator's verdict on an incident (was it really an offence?). Review decisions and judgements of
 * shadow-mode incidents give each kind's precision — what a city measures before letting weisu file.
 */
export const sql = `
ALTER TABLE incidents ADD COLUMN judgement text;
ALTER TABLE incidents ADD COLUMN judged_by text;
ALTER TABLE incidents ADD COLUMN judged_at timestamptz;
`;

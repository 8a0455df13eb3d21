/** When weisu first posted a ticket: a look-up after an ambiguous failure searches from here, not from creation (days earlier for reviewed tickets). */
export const sql = `
ALTER TABLE tickets ADD COLUMN first_post_at timestamptz;
`;

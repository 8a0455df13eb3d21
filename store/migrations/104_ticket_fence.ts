/**
 * Fencing token of the outbox claim: each claim of a ticket increments it, and a sender's post and
 * writes need its own value to be still the latest (store/tickets.ts `updateClaimedTicket`), so a sender
 * that stalled past its lease can neither post nor record anything once another took the ticket over.
 */
export const sql = `
ALTER TABLE tickets ADD COLUMN fence integer NOT NULL DEFAULT 0;
`;

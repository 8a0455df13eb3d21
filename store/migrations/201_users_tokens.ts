/**
 * Console users and API tokens. Passwords are scrypt hashes (salt and cost stored in the hash string);
 * tokens are random 256-bit secrets stored as SHA-256 digests, so a leaked table logs nobody in.
 * A login creates a `session` token that expires; `api` tokens are for integrators' systems.
 */
export const sql = `
CREATE TABLE users (
  username text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'integrator', 'viewer')),
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  username text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('session', 'api')),
  name text NOT NULL,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (username);
`;

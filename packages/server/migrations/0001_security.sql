-- People who sign in (console, API with a token) and their roles.
CREATE TABLE IF NOT EXISTS operon_user (
  id            text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text,
  password_hash text,
  roles         text[] NOT NULL,
  party_id      text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);

-- Keys for machine clients: only a hash of the secret is kept; the secret is shown once.
CREATE TABLE IF NOT EXISTS operon_api_key (
  id           text PRIMARY KEY,
  secret_hash  text NOT NULL,
  name         text NOT NULL,
  user_id      text REFERENCES operon_user (id),
  roles        text[] NOT NULL,
  party_id     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);

-- Operon's own token-signing keys (it is the issuer of the tokens its users sign in with).
CREATE TABLE IF NOT EXISTS operon_signing_key (
  kid         text PRIMARY KEY,
  alg         text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz
);

-- First answers to POSTs that carried an Idempotency-Key, replayed for a repeat.
CREATE TABLE IF NOT EXISTS operon_idempotency (
  principal_id  text NOT NULL,
  key           text NOT NULL,
  method        text NOT NULL,
  path          text NOT NULL,
  body_hash     text NOT NULL,
  status_code   integer,
  headers       jsonb,
  body          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (principal_id, key)
);
CREATE INDEX IF NOT EXISTS operon_idempotency_expiry ON operon_idempotency (expires_at);

-- Facts about the installation itself (e.g. that the demo data was loaded), one row per key.
CREATE TABLE IF NOT EXISTS operon_meta (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

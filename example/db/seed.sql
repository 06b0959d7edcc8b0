-- A small Shisha Log database for the demo: sessions and flavors, with the roles Supabase has.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
END $$;

CREATE TABLE flavors (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  brand text
);

CREATE TABLE sessions (
  id bigserial PRIMARY KEY,
  flavor_id integer NOT NULL REFERENCES flavors (id),
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  notes text,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY sessions_read ON sessions FOR SELECT TO anon, authenticated USING (true);

INSERT INTO flavors (name, brand) VALUES ('Double Apple', 'Al Fakher'), ('ミント', 'Adalya'), ('Blueberry', 'Starbuzz');
INSERT INTO sessions (flavor_id, rating, notes, tags)
SELECT 1 + (g % 3), 1 + (g % 5), 'session ' || g || ' 美味しい', ARRAY['demo', 'week' || (g % 7)]
FROM generate_series(1, 500) AS g;

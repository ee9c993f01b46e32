-- SPDX-License-Identifier: GPL-3.0-or-later
-- A store at schema version 1, frozen as that version shipped, with data.
-- tests/test-store.c builds a file from this and opens it with the current
-- code, which must migrate it and keep every row.  Never edit the schema part.

-- schema step 1
CREATE TABLE vehicles (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  vin TEXT UNIQUE,
  make TEXT,
  model TEXT,
  year INTEGER,
  plate TEXT,
  owner_name TEXT,
  odometer_km INTEGER,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  vehicle_id INTEGER REFERENCES vehicles (id),
  started_us INTEGER NOT NULL,
  ended_us INTEGER,
  status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted')),
  protocol TEXT,
  adapter TEXT,
  connection TEXT,
  hash TEXT,
  prev_hash TEXT,
  chain_seq INTEGER UNIQUE);
CREATE INDEX sessions_vehicle ON sessions (vehicle_id, started_us);
CREATE INDEX sessions_status ON sessions (status);
CREATE TABLE samples (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  service INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  ecu INTEGER NOT NULL,
  value REAL,
  PRIMARY KEY (session_id, service, pid, idx, time_us, ecu)
) WITHOUT ROWID;
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  payload TEXT NOT NULL,
  created_us INTEGER NOT NULL);
-- data
PRAGMA application_id = 1329742898;
PRAGMA user_version = 1;
INSERT INTO vehicles VALUES (1, '0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01', 'WVWZZZ1JZXW000001',
  'Volkswagen', 'Golf', 1999, 'AB-123', 'Kim Meyer', 185000, 1700000000000000, 1700000000000000);
INSERT INTO sessions VALUES (1, '5d8e7c1a-0f3b-4b7e-8a62-9c4d1e2f3a01', 1, 1700000100000000,
  1700000160000000, 'complete', 'can11-500', 'ELM327 v1.5', 'sim', 'f2f4485c09500ca9395651192c22a29a0f0c411268b8cc76cd7d2eccad998352', NULL, 1);
INSERT INTO sessions VALUES (2, '5d8e7c1a-0f3b-4b7e-8a62-9c4d1e2f3a02', 1, 1700000200000000,
  1700000260000000, 'interrupted', 'can11-500', 'ELM327 v1.5', '/dev/ttyUSB0', 'fe96f2dec771e6ffba1f15672b6154401d473254ffce38e23b3b180c9044fc78',
  'f2f4485c09500ca9395651192c22a29a0f0c411268b8cc76cd7d2eccad998352', 2);
INSERT INTO samples VALUES (1, 1, 12, 0, 1700000100100000, 2024, 812.5);
INSERT INTO samples VALUES (1, 1, 12, 0, 1700000100200000, 2024, 815.25);
INSERT INTO samples VALUES (1, 1, 12, 0, 1700000100300000, 2024, 2010);
INSERT INTO samples VALUES (1, 1, 5, 0, 1700000100100000, 2024, 88);
INSERT INTO samples VALUES (1, 1, 5, 0, 1700000100200000, 2024, 89);
INSERT INTO samples VALUES (1, 1, 5, 0, 1700000100300000, 2024, 90);
INSERT INTO samples VALUES (2, 1, 13, 0, 1700000200100000, 2024, 0);
INSERT INTO samples VALUES (2, 1, 13, 0, 1700000200200000, 2024, 12);
INSERT INTO outbox VALUES (1, 'vehicle', '0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01', 'insert',
  '{"uuid":"0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01","vin":"WVWZZZ1JZXW000001"}',
  1700000000000000);

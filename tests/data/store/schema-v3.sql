-- SPDX-License-Identifier: GPL-3.0-or-later
-- A store at schema version 3, frozen as that version shipped, with data.
-- tests/test-store.c and tests/test-guide-store.c build a file from this and opens it with the current
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

-- schema step 2
ALTER TABLE sessions ADD COLUMN sample_count INTEGER NOT NULL DEFAULT 0;UPDATE sessions SET sample_count =  (SELECT count(*) FROM samples WHERE samples.session_id = sessions.id);
CREATE TABLE dtc_events (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
  code TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('stored', 'pending', 'permanent')),
  ecu INTEGER NOT NULL,
  first_seen_us INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  cleared_us INTEGER,
  cleared_by TEXT);
CREATE INDEX dtc_events_vehicle ON dtc_events (vehicle_id, code);
CREATE INDEX dtc_events_session ON dtc_events (session_id);
CREATE TABLE freeze_frames (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  dtc TEXT,
  ecu INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  captured_us INTEGER NOT NULL);
CREATE INDEX freeze_frames_session ON freeze_frames (session_id);
CREATE TABLE freeze_frame_values (
  freeze_frame_id INTEGER NOT NULL REFERENCES freeze_frames (id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  value REAL,
  PRIMARY KEY (freeze_frame_id, pid, idx)
) WITHOUT ROWID;
CREATE TABLE readiness (
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  taken_us INTEGER NOT NULL,
  monitor TEXT NOT NULL,
  available INTEGER NOT NULL,
  complete INTEGER NOT NULL,
  PRIMARY KEY (session_id, taken_us, monitor)
) WITHOUT ROWID;
CREATE TABLE mode06_results (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  ecu INTEGER NOT NULL,
  mid INTEGER NOT NULL,
  tid INTEGER NOT NULL,
  value REAL,
  min REAL,
  max REAL,
  passed INTEGER NOT NULL,
  unit TEXT);
CREATE INDEX mode06_results_session ON mode06_results (session_id);
-- schema step 3
CREATE TABLE maintenance_items (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  interval_km INTEGER,
  interval_days INTEGER,
  last_done_km INTEGER,
  last_done_us INTEGER,
  status TEXT NOT NULL CHECK (status IN ('due', 'overdue', 'done')));
CREATE INDEX maintenance_items_vehicle ON maintenance_items (vehicle_id);
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  vehicle_id INTEGER REFERENCES vehicles (id) ON DELETE CASCADE,
  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT,
  created_us INTEGER NOT NULL,
  read INTEGER NOT NULL DEFAULT 0);
CREATE INDEX notifications_vehicle ON notifications (vehicle_id, created_us);
CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
  author TEXT,
  text TEXT NOT NULL,
  created_us INTEGER NOT NULL);
CREATE INDEX notes_vehicle ON notes (vehicle_id, created_us);
-- data
PRAGMA application_id = 1329742898;
PRAGMA user_version = 3;
INSERT INTO vehicles VALUES (1, '0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01', 'WVWZZZ1JZXW000001',
  'Volkswagen', 'Golf', 1999, 'AB-123', 'Kim Meyer', 185000, 1700000000000000, 1700000000000000);
INSERT INTO sessions (id, uuid, vehicle_id, started_us, ended_us, status, protocol, adapter,
  connection, hash, prev_hash, chain_seq, sample_count)
  VALUES (1, '5d8e7c1a-0f3b-4b7e-8a62-9c4d1e2f3a01', 1, 1700000100000000, 1700000160000000,
  'complete', 'can11-500', 'ELM327 v1.5', 'sim', 'a32687bfd604b37c96a250aa9f707bc6cd084422aea88beb5c9cf4679b598430', NULL, 1, 3);
INSERT INTO sessions (id, uuid, vehicle_id, started_us, ended_us, status, protocol, adapter,
  connection, hash, prev_hash, chain_seq, sample_count)
  VALUES (2, '5d8e7c1a-0f3b-4b7e-8a62-9c4d1e2f3a02', 1, 1700000200000000, 1700000260000000,
  'complete', 'can11-500', 'ELM327 v1.5', 'sim', '6bc4a8a54a0879a521a253c025378eb8e509b7ba499119770035a67485b63eaf', 'a32687bfd604b37c96a250aa9f707bc6cd084422aea88beb5c9cf4679b598430', 2, 0);
-- Left "recording" by a recorder that died: opening must interrupt and seal it.
INSERT INTO sessions (id, uuid, vehicle_id, started_us, ended_us, status, protocol, adapter,
  connection, hash, prev_hash, chain_seq, sample_count)
  VALUES (3, '5d8e7c1a-0f3b-4b7e-8a62-9c4d1e2f3a03', 1, 1700000300000000, NULL,
  'recording', 'can11-500', 'ELM327 v1.5', 'sim', NULL, NULL, NULL, 2);
INSERT INTO samples VALUES (1, 1, 12, 0, 1700000100100000, 2024, 812.5);
INSERT INTO samples VALUES (1, 1, 12, 0, 1700000100200000, 2024, 815.25);
INSERT INTO samples VALUES (1, 1, 5, 0, 1700000100100000, 2024, 88);
INSERT INTO samples VALUES (3, 1, 13, 0, 1700000300100000, 2024, 30);
INSERT INTO samples VALUES (3, 1, 13, 0, 1700000300500000, 2024, 31.5);
INSERT INTO dtc_events VALUES (1, '9a7b6c5d-1e2f-4a3b-8c4d-5e6f7a8b9c01', 1, 2, 'P0301', 'stored',
  2024, 1700000200100000, 1700000250000000, NULL, NULL);
INSERT INTO freeze_frames VALUES (1, 2, 'P0301', 2024, 0, 1700000200150000);
INSERT INTO freeze_frame_values VALUES (1, 12, 0, 2450.5);
INSERT INTO freeze_frame_values VALUES (1, 5, 0, 91);
INSERT INTO readiness VALUES (2, 1700000200120000, 'misfire', 1, 1);
INSERT INTO readiness VALUES (2, 1700000200120000, 'catalyst', 1, 0);
INSERT INTO mode06_results VALUES (1, 2, 2024, 161, 11, 3, 0, 50, 1, 'count');
INSERT INTO outbox VALUES (1, 'vehicle', '0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01', 'insert',
  '{"uuid":"0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01","vin":"WVWZZZ1JZXW000001"}',
  1700000000000000);
INSERT INTO maintenance_items VALUES (1, '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b01', 1,
  'Engine oil and filter', 15000, 365, 180000, 1690000000000000, 'due');
INSERT INTO notes VALUES (1, '7e6d5c4b-3a29-4187-9f6e-5d4c3b2a1f01', 1, 2, 'Sam',
  'Customer reports a misfire when cold.', 1700000270000000);

/* obd-store-sql.h — every SQL statement of the store, in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to src/store/.  Column lists of the SELECTs here match the
 * readers in the .c files that use them (see the comment on each).
 */
#pragma once

/* ------------------------------------------------------------------ */
/* Connection */

#define SQL_PRAGMAS \
  "PRAGMA journal_mode = WAL;" \
  "PRAGMA synchronous = NORMAL;" \
  "PRAGMA foreign_keys = ON;"

#define SQL_PRAGMAS_READ_ONLY \
  "PRAGMA foreign_keys = ON;"

#define SQL_PROBE_OBJECTS    "SELECT count(*) FROM sqlite_schema"
#define SQL_USER_VERSION     "PRAGMA user_version"
#define SQL_APPLICATION_ID   "PRAGMA application_id"
#define SQL_INTEGRITY_CHECK  "PRAGMA integrity_check"
#define SQL_QUICK_CHECK      "PRAGMA quick_check"
#define SQL_BEGIN            "BEGIN IMMEDIATE"
#define SQL_BEGIN_READ       "BEGIN"
#define SQL_COMMIT           "COMMIT"
#define SQL_ROLLBACK         "ROLLBACK"

/* ------------------------------------------------------------------ */
/* Schema history.  Step N takes a store from version N-1 to N; a new store
 * runs every step.  A shipped step never changes: fix mistakes with a new
 * step.  tests/data/store/ keeps a frozen copy of each earlier version. */

/* 1: recording — vehicles, sessions with their hash chain, samples, and
 * the sync outbox.  samples is WITHOUT ROWID with the query key first: a
 * one-PID series is one contiguous range of the table itself, with no
 * index lookups, and inserts append to the end of each PID's range. */
#define SQL_SCHEMA_1 \
  "CREATE TABLE vehicles (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vin TEXT UNIQUE," \
  "  make TEXT," \
  "  model TEXT," \
  "  year INTEGER," \
  "  plate TEXT," \
  "  owner_name TEXT," \
  "  odometer_km INTEGER," \
  "  created_us INTEGER NOT NULL," \
  "  updated_us INTEGER NOT NULL);" \
  "CREATE TABLE sessions (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vehicle_id INTEGER REFERENCES vehicles (id)," \
  "  started_us INTEGER NOT NULL," \
  "  ended_us INTEGER," \
  "  status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted'))," \
  "  protocol TEXT," \
  "  adapter TEXT," \
  "  connection TEXT," \
  "  hash TEXT," \
  "  prev_hash TEXT," \
  "  chain_seq INTEGER UNIQUE);" \
  "CREATE INDEX sessions_vehicle ON sessions (vehicle_id, started_us);" \
  "CREATE INDEX sessions_status ON sessions (status);" \
  "CREATE TABLE samples (" \
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE," \
  "  service INTEGER NOT NULL," \
  "  pid INTEGER NOT NULL," \
  "  idx INTEGER NOT NULL," \
  "  time_us INTEGER NOT NULL," \
  "  ecu INTEGER NOT NULL," \
  "  value REAL," \
  "  PRIMARY KEY (session_id, service, pid, idx, time_us, ecu)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE outbox (" \
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT," \
  "  entity TEXT NOT NULL," \
  "  entity_id TEXT NOT NULL," \
  "  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete'))," \
  "  payload TEXT NOT NULL," \
  "  created_us INTEGER NOT NULL);"

/* 2: diagnostics — DTC history, freeze frames, readiness, Mode 06; and a
 * stored sample count, so listing sessions does not count millions of
 * rows. */
#define SQL_SCHEMA_2 \
  "ALTER TABLE sessions ADD COLUMN sample_count INTEGER NOT NULL DEFAULT 0;" \
  "UPDATE sessions SET sample_count =" \
  "  (SELECT count(*) FROM samples WHERE samples.session_id = sessions.id);" \
  "CREATE TABLE dtc_events (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE," \
  "  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL," \
  "  code TEXT NOT NULL," \
  "  kind TEXT NOT NULL CHECK (kind IN ('stored', 'pending', 'permanent'))," \
  "  ecu INTEGER NOT NULL," \
  "  first_seen_us INTEGER NOT NULL," \
  "  last_seen_us INTEGER NOT NULL," \
  "  cleared_us INTEGER," \
  "  cleared_by TEXT);" \
  "CREATE INDEX dtc_events_vehicle ON dtc_events (vehicle_id, code);" \
  "CREATE INDEX dtc_events_session ON dtc_events (session_id);" \
  "CREATE TABLE freeze_frames (" \
  "  id INTEGER PRIMARY KEY," \
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE," \
  "  dtc TEXT," \
  "  ecu INTEGER NOT NULL," \
  "  frame INTEGER NOT NULL," \
  "  captured_us INTEGER NOT NULL);" \
  "CREATE INDEX freeze_frames_session ON freeze_frames (session_id);" \
  "CREATE TABLE freeze_frame_values (" \
  "  freeze_frame_id INTEGER NOT NULL REFERENCES freeze_frames (id) ON DELETE CASCADE," \
  "  pid INTEGER NOT NULL," \
  "  idx INTEGER NOT NULL," \
  "  value REAL," \
  "  PRIMARY KEY (freeze_frame_id, pid, idx)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE readiness (" \
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE," \
  "  taken_us INTEGER NOT NULL," \
  "  monitor TEXT NOT NULL," \
  "  available INTEGER NOT NULL," \
  "  complete INTEGER NOT NULL," \
  "  PRIMARY KEY (session_id, taken_us, monitor)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE mode06_results (" \
  "  id INTEGER PRIMARY KEY," \
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE," \
  "  ecu INTEGER NOT NULL," \
  "  mid INTEGER NOT NULL," \
  "  tid INTEGER NOT NULL," \
  "  value REAL," \
  "  min REAL," \
  "  max REAL," \
  "  passed INTEGER NOT NULL," \
  "  unit TEXT);" \
  "CREATE INDEX mode06_results_session ON mode06_results (session_id);"

/* 3: workshop — maintenance plan, notifications, notes. */
#define SQL_SCHEMA_3 \
  "CREATE TABLE maintenance_items (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE," \
  "  title TEXT NOT NULL," \
  "  interval_km INTEGER," \
  "  interval_days INTEGER," \
  "  last_done_km INTEGER," \
  "  last_done_us INTEGER," \
  "  status TEXT NOT NULL CHECK (status IN ('due', 'overdue', 'done')));" \
  "CREATE INDEX maintenance_items_vehicle ON maintenance_items (vehicle_id);" \
  "CREATE TABLE notifications (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vehicle_id INTEGER REFERENCES vehicles (id) ON DELETE CASCADE," \
  "  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL," \
  "  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical'))," \
  "  kind TEXT NOT NULL," \
  "  title TEXT NOT NULL," \
  "  body TEXT," \
  "  created_us INTEGER NOT NULL," \
  "  read INTEGER NOT NULL DEFAULT 0);" \
  "CREATE INDEX notifications_vehicle ON notifications (vehicle_id, created_us);" \
  "CREATE TABLE notes (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE," \
  "  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL," \
  "  author TEXT," \
  "  text TEXT NOT NULL," \
  "  created_us INTEGER NOT NULL);" \
  "CREATE INDEX notes_vehicle ON notes (vehicle_id, created_us);"

/* 4: health inputs — what a session's live health report was computed
 * from, so the fleet list and the history show the same report
 * (src/diag/obd-diagnosis.h).  The codes the vehicle reported when the
 * session started (links to their events, which may have started in an
 * earlier session), the since-clear figures of that snapshot, the live
 * alerts active on the session, and every Mode 04 a vehicle received
 * (which voids earlier Mode 06 results and readiness). */
#define SQL_SCHEMA_4 \
  "CREATE TABLE session_dtcs (" \
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE," \
  "  dtc_event_id INTEGER NOT NULL REFERENCES dtc_events (id) ON DELETE CASCADE," \
  "  PRIMARY KEY (session_id, dtc_event_id)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE session_health (" \
  "  session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE," \
  "  taken_us INTEGER NOT NULL," \
  "  km_since_clear REAL," \
  "  warmups_since_clear INTEGER);" \
  "CREATE TABLE session_alerts (" \
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE," \
  "  kind TEXT NOT NULL," \
  "  key TEXT NOT NULL," \
  "  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical'))," \
  "  value REAL," \
  "  threshold REAL," \
  "  time_us INTEGER NOT NULL," \
  "  PRIMARY KEY (session_id, kind, key)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE dtc_clears (" \
  "  id INTEGER PRIMARY KEY," \
  "  vehicle_id INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE," \
  "  cleared_us INTEGER NOT NULL," \
  "  cleared_by TEXT);" \
  "CREATE INDEX dtc_clears_vehicle ON dtc_clears (vehicle_id, cleared_us);"

/* Health inputs (step 4); a session's codes are SQL_DTC_FOR_SESSION. */
#define SQL_SESSION_DTC_LINK \
  "INSERT OR IGNORE INTO session_dtcs (session_id, dtc_event_id) VALUES (?, ?)"
/* For the hash: the immutable fields of the linked events. */
#define SQL_HASH_SESSION_DTCS \
  "SELECT e.uuid, e.code, e.kind, e.ecu, e.first_seen_us FROM session_dtcs l" \
  " JOIN dtc_events e ON e.id = l.dtc_event_id WHERE l.session_id = ?" \
  " ORDER BY e.code, e.kind, e.ecu, e.uuid"
#define SQL_SESSION_HEALTH_SET \
  "INSERT OR REPLACE INTO session_health (session_id, taken_us, km_since_clear," \
  " warmups_since_clear) VALUES (?, ?, ?, ?)"
/* taken_us, km_since_clear, warmups_since_clear */
#define SQL_SESSION_HEALTH_GET \
  "SELECT taken_us, km_since_clear, warmups_since_clear FROM session_health" \
  " WHERE session_id = ?"
#define SQL_SESSION_ALERTS_DELETE "DELETE FROM session_alerts WHERE session_id = ?"
#define SQL_SESSION_ALERT_INSERT \
  "INSERT OR REPLACE INTO session_alerts (session_id, kind, key, severity, value, threshold," \
  " time_us) VALUES (?, ?, ?, ?, ?, ?, ?)"
/* kind, key, severity, value, threshold, time_us */
#define SQL_SESSION_ALERTS_LIST \
  "SELECT kind, key, severity, value, threshold, time_us FROM session_alerts" \
  " WHERE session_id = ? ORDER BY kind, key"
/* The newest session of a vehicle with health inputs. */
#define SQL_SESSION_HEALTH_LATEST \
  "SELECT h.session_id FROM session_health h JOIN sessions s ON s.id = h.session_id" \
  " WHERE s.vehicle_id = ? ORDER BY h.taken_us DESC, h.session_id DESC LIMIT 1"
#define SQL_DTC_CLEAR_LOG \
  "INSERT INTO dtc_clears (vehicle_id, cleared_us, cleared_by) VALUES (?, ?, ?)"
#define SQL_DTC_LAST_CLEAR \
  "SELECT max(cleared_us) FROM dtc_clears WHERE vehicle_id = ?"
/* The readiness of a session's latest reading: monitor, available,
 * complete. */
#define SQL_READINESS_LATEST \
  "SELECT monitor, available, complete FROM readiness WHERE session_id = ?1" \
  " AND taken_us = (SELECT max(taken_us) FROM readiness WHERE session_id = ?1)" \
  " ORDER BY monitor"

/* 5: guided repair — a run of a guide (data/guides/) on a vehicle, each
 * step the mechanic completed in order, and the finding it ended in with
 * the recommended repairs.  Titles and texts are copied from the guide
 * as run (its English msgids), so history and reports read the same
 * whatever later versions of the guide say. */
#define SQL_SCHEMA_5 \
  "CREATE TABLE guide_runs (" \
  "  id INTEGER PRIMARY KEY," \
  "  uuid TEXT NOT NULL UNIQUE," \
  "  vehicle_id INTEGER REFERENCES vehicles (id) ON DELETE CASCADE," \
  "  session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL," \
  "  guide_id TEXT NOT NULL," \
  "  guide_version INTEGER NOT NULL," \
  "  guide_title TEXT NOT NULL," \
  "  reason TEXT," \
  "  status TEXT NOT NULL CHECK (status IN ('active', 'finished', 'abandoned'))," \
  "  current_step TEXT," \
  "  started_us INTEGER NOT NULL," \
  "  updated_us INTEGER NOT NULL," \
  "  finished_us INTEGER);" \
  "CREATE INDEX guide_runs_vehicle ON guide_runs (vehicle_id, started_us);" \
  "CREATE INDEX guide_runs_session ON guide_runs (session_id);" \
  "CREATE TABLE guide_run_steps (" \
  "  run_id INTEGER NOT NULL REFERENCES guide_runs (id) ON DELETE CASCADE," \
  "  seq INTEGER NOT NULL," \
  "  step_id TEXT NOT NULL," \
  "  kind TEXT NOT NULL," \
  "  title TEXT," \
  "  outcome TEXT NOT NULL," \
  "  value REAL," \
  "  unit TEXT," \
  "  detail TEXT," \
  "  manual INTEGER NOT NULL DEFAULT 0," \
  "  recorded_us INTEGER NOT NULL," \
  "  PRIMARY KEY (run_id, seq)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE guide_run_findings (" \
  "  id INTEGER PRIMARY KEY," \
  "  run_id INTEGER NOT NULL REFERENCES guide_runs (id) ON DELETE CASCADE," \
  "  finding_id TEXT NOT NULL," \
  "  kind TEXT NOT NULL CHECK (kind IN ('fault', 'no-fault', 'refer'))," \
  "  title TEXT NOT NULL," \
  "  text TEXT," \
  "  refer_guide TEXT);" \
  "CREATE INDEX guide_run_findings_run ON guide_run_findings (run_id);" \
  "CREATE TABLE guide_run_repairs (" \
  "  finding_id INTEGER NOT NULL REFERENCES guide_run_findings (id) ON DELETE CASCADE," \
  "  seq INTEGER NOT NULL," \
  "  title TEXT NOT NULL," \
  "  hours REAL NOT NULL," \
  "  max_hours REAL," \
  "  PRIMARY KEY (finding_id, seq)" \
  ") WITHOUT ROWID;"

/* ------------------------------------------------------------------ */
/* Outbox */

#define SQL_OUTBOX_INSERT \
  "INSERT INTO outbox (entity, entity_id, op, payload, created_us) VALUES (?, ?, ?, ?, ?)"
/* seq, entity, entity_id, op, payload, created_us */
#define SQL_OUTBOX_LIST \
  "SELECT seq, entity, entity_id, op, payload, created_us FROM outbox" \
  " WHERE seq > ? ORDER BY seq LIMIT ?"
#define SQL_OUTBOX_ACK "DELETE FROM outbox WHERE seq <= ?"

/* ------------------------------------------------------------------ */
/* Vehicles: columns id, uuid, vin, make, model, year, plate, owner_name,
 * odometer_km, created_us, updated_us */

#define SQL_VEHICLE_COLUMNS \
  "id, uuid, vin, make, model, year, plate, owner_name, odometer_km, created_us, updated_us"
#define SQL_VEHICLE_GET    "SELECT " SQL_VEHICLE_COLUMNS " FROM vehicles WHERE id = ?"
#define SQL_VEHICLE_LIST   "SELECT " SQL_VEHICLE_COLUMNS " FROM vehicles ORDER BY id"
#define SQL_VEHICLE_BY_VIN "SELECT id FROM vehicles WHERE vin = ?"
#define SQL_VEHICLE_INSERT \
  "INSERT INTO vehicles (uuid, vin, make, model, year, created_us, updated_us)" \
  " VALUES (?, ?, ?, ?, ?, ?, ?)"
#define SQL_VEHICLE_UPDATE \
  "UPDATE vehicles SET make = ?, model = ?, year = ?, plate = ?, owner_name = ?," \
  " odometer_km = ?, updated_us = ? WHERE id = ?"

/* ------------------------------------------------------------------ */
/* Sessions: columns id, uuid, vehicle_id, vehicle uuid, vin, vehicle name, started_us,
 * ended_us, status, protocol, adapter, connection, hash, prev_hash,
 * sample_count */

#define SQL_SESSION_SELECT \
  "SELECT s.id, s.uuid, s.vehicle_id, v.uuid, v.vin," \
  " nullif (trim (coalesce (v.make, '') || ' ' || coalesce (v.model, '') || ' '" \
  "   || coalesce (v.year, '')), '')," \
  " s.started_us, s.ended_us, s.status, s.protocol, s.adapter, s.connection," \
  " s.hash, s.prev_hash, s.sample_count" \
  " FROM sessions s LEFT JOIN vehicles v ON v.id = s.vehicle_id"
#define SQL_SESSION_GET        SQL_SESSION_SELECT " WHERE s.id = ?"
#define SQL_SESSION_LIST_ALL   SQL_SESSION_SELECT " ORDER BY s.started_us DESC, s.id DESC"
#define SQL_SESSION_LIST_VEHICLE \
  SQL_SESSION_SELECT " WHERE s.vehicle_id = ? ORDER BY s.started_us DESC, s.id DESC"
#define SQL_SESSION_STATUS     "SELECT status FROM sessions WHERE id = ?"
#define SQL_SESSION_INSERT \
  "INSERT INTO sessions (uuid, vehicle_id, started_us, status, protocol, adapter, connection)" \
  " VALUES (?, ?, ?, 'recording', ?, ?, ?)"
#define SQL_SESSION_ADD_SAMPLES "UPDATE sessions SET sample_count = sample_count + ? WHERE id = ?"
#define SQL_SESSION_RECORDING  "SELECT id, uuid FROM sessions WHERE status = 'recording'"
#define SQL_SESSION_LAST_SAMPLE "SELECT max (time_us) FROM samples WHERE session_id = ?"
#define SQL_SESSION_END \
  "UPDATE sessions SET status = ?, ended_us = ? WHERE id = ? AND status = 'recording'"
#define SQL_SESSION_CHAIN_TAIL \
  "SELECT hash, chain_seq FROM sessions WHERE chain_seq IS NOT NULL" \
  " ORDER BY chain_seq DESC LIMIT 1"
#define SQL_SESSION_LINK \
  "UPDATE sessions SET hash = ?, prev_hash = ?, chain_seq = ? WHERE id = ?"
/* id, prev_hash, hash */
#define SQL_SESSION_CHAIN \
  "SELECT id, prev_hash, hash FROM sessions WHERE chain_seq IS NOT NULL ORDER BY chain_seq"
#define SQL_SESSION_HASHES "SELECT hash, prev_hash, chain_seq FROM sessions WHERE id = ?"
#define SQL_SESSION_UNSEALED \
  "SELECT id FROM sessions WHERE status != 'recording' AND chain_seq IS NULL ORDER BY id LIMIT 1"

/* ------------------------------------------------------------------ */
/* Samples */

#define SQL_SAMPLE_INSERT \
  "INSERT OR REPLACE INTO samples (session_id, service, pid, idx, time_us, ecu, value)" \
  " VALUES (?, ?, ?, ?, ?, ?, ?)"
#define SQL_SERIES \
  "SELECT time_us, value FROM samples" \
  " WHERE session_id = ? AND service = 1 AND pid = ? AND idx = ? ORDER BY time_us, ecu"
#define SQL_SERIES_ECU \
  "SELECT time_us, value FROM samples" \
  " WHERE session_id = ? AND service = 1 AND pid = ? AND idx = ? AND ecu = ? ORDER BY time_us"
/* The quantities of a session: pid, idx, ecu */
#define SQL_SESSION_COLUMNS \
  "SELECT DISTINCT pid, idx, ecu FROM samples WHERE session_id = ? AND service = 1" \
  " ORDER BY pid, idx, ecu"
/* time_us, pid, idx, ecu, value — for the CSV's rows */
#define SQL_SESSION_ROWS \
  "SELECT time_us, pid, idx, ecu, value FROM samples WHERE session_id = ? AND service = 1" \
  " ORDER BY time_us, pid, idx, ecu"

/* ------------------------------------------------------------------ */
/* Session content */

#define SQL_FREEZE_INSERT \
  "INSERT INTO freeze_frames (session_id, dtc, ecu, frame, captured_us) VALUES (?, ?, ?, ?, ?)"
#define SQL_FREEZE_VALUE_INSERT \
  "INSERT OR REPLACE INTO freeze_frame_values (freeze_frame_id, pid, idx, value)" \
  " VALUES (?, ?, ?, ?)"
#define SQL_READINESS_INSERT \
  "INSERT OR REPLACE INTO readiness (session_id, taken_us, monitor, available, complete)" \
  " VALUES (?, ?, ?, ?, ?)"
#define SQL_MODE06_INSERT \
  "INSERT INTO mode06_results (session_id, ecu, mid, tid, value, min, max, passed, unit)" \
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* ------------------------------------------------------------------ */
/* Canonical content of a session for its hash.  Each in a fixed order;
 * DTC events contribute only what a later session cannot change. */

/* uuid, vehicle uuid, started_us, ended_us, status, protocol, adapter,
 * connection */
#define SQL_HASH_META \
  "SELECT s.uuid, v.uuid, s.started_us, s.ended_us, s.status, s.protocol, s.adapter," \
  " s.connection FROM sessions s LEFT JOIN vehicles v ON v.id = s.vehicle_id WHERE s.id = ?"
/* In primary key order, so no sort is needed. */
#define SQL_HASH_SAMPLES \
  "SELECT service, pid, idx, time_us, ecu, value FROM samples WHERE session_id = ?" \
  " ORDER BY service, pid, idx, time_us, ecu"
#define SQL_HASH_DTCS \
  "SELECT uuid, code, kind, ecu, first_seen_us FROM dtc_events WHERE session_id = ?" \
  " ORDER BY first_seen_us, code, kind, ecu, uuid"
/* id, dtc, ecu, frame, captured_us */
#define SQL_FREEZE_LIST \
  "SELECT id, dtc, ecu, frame, captured_us FROM freeze_frames WHERE session_id = ?" \
  " ORDER BY captured_us, ecu, frame, id"
#define SQL_FREEZE_VALUES \
  "SELECT pid, idx, value FROM freeze_frame_values WHERE freeze_frame_id = ? ORDER BY pid, idx"
/* taken_us, monitor, available, complete */
#define SQL_READINESS_LIST \
  "SELECT taken_us, monitor, available, complete FROM readiness WHERE session_id = ?" \
  " ORDER BY taken_us, monitor"
/* ecu, mid, tid, value, min, max, passed, unit */
#define SQL_MODE06_LIST \
  "SELECT ecu, mid, tid, value, min, max, passed, unit FROM mode06_results" \
  " WHERE session_id = ? ORDER BY ecu, mid, tid, id"

/* ------------------------------------------------------------------ */
/* DTC events: id, uuid, vehicle_id, session_id, code, kind, ecu,
 * first_seen_us, last_seen_us, cleared_us, cleared_by */

#define SQL_DTC_COLUMNS \
  "id, uuid, vehicle_id, session_id, code, kind, ecu, first_seen_us, last_seen_us," \
  " cleared_us, cleared_by"
#define SQL_DTC_GET "SELECT " SQL_DTC_COLUMNS " FROM dtc_events WHERE id = ?"
#define SQL_DTC_FIND_ACTIVE \
  "SELECT id FROM dtc_events WHERE vehicle_id = ? AND code = ? AND kind = ? AND ecu = ?" \
  " AND cleared_us IS NULL"
#define SQL_DTC_TOUCH \
  "UPDATE dtc_events SET last_seen_us = max (last_seen_us, ?) WHERE id = ?"
#define SQL_DTC_INSERT \
  "INSERT INTO dtc_events (uuid, vehicle_id, session_id, code, kind, ecu, first_seen_us," \
  " last_seen_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
#define SQL_DTC_LIST_ACTIVE \
  "SELECT " SQL_DTC_COLUMNS " FROM dtc_events WHERE vehicle_id = ? AND cleared_us IS NULL" \
  " ORDER BY first_seen_us, id"
#define SQL_DTC_LIST_ALL \
  "SELECT " SQL_DTC_COLUMNS " FROM dtc_events WHERE vehicle_id = ? ORDER BY first_seen_us, id"
#define SQL_DTC_CLEARABLE \
  "SELECT id FROM dtc_events WHERE vehicle_id = ? AND cleared_us IS NULL" \
  " AND kind IN ('stored', 'pending') ORDER BY id"
#define SQL_DTC_CLEAR "UPDATE dtc_events SET cleared_us = ?, cleared_by = ? WHERE id = ?"
/* The codes of a session: first seen in it, or reported when it started
 * (session_dtcs, step 4), so a session recorded while codes were stored
 * lists them even when they were first seen earlier. */
#define SQL_DTC_FOR_SESSION \
  "SELECT " SQL_DTC_COLUMNS " FROM dtc_events WHERE session_id = ?1" \
  " OR id IN (SELECT dtc_event_id FROM session_dtcs WHERE session_id = ?1)" \
  " ORDER BY first_seen_us, id"

/* ------------------------------------------------------------------ */
/* Maintenance: id, uuid, vehicle_id, title, interval_km, interval_days,
 * last_done_km, last_done_us, status */

#define SQL_MAINT_COLUMNS \
  "id, uuid, vehicle_id, title, interval_km, interval_days, last_done_km, last_done_us, status"
#define SQL_MAINT_GET "SELECT " SQL_MAINT_COLUMNS " FROM maintenance_items WHERE id = ?"
#define SQL_MAINT_LIST \
  "SELECT " SQL_MAINT_COLUMNS " FROM maintenance_items WHERE vehicle_id = ? ORDER BY id"
#define SQL_MAINT_INSERT \
  "INSERT INTO maintenance_items (uuid, vehicle_id, title, interval_km, interval_days," \
  " last_done_km, last_done_us, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
#define SQL_MAINT_COMPLETE \
  "UPDATE maintenance_items SET last_done_km = ?, last_done_us = ?, status = 'done' WHERE id = ?"
#define SQL_MAINT_STATUS "UPDATE maintenance_items SET status = ? WHERE id = ?"
#define SQL_MAINT_DELETE "DELETE FROM maintenance_items WHERE id = ?"

/* ------------------------------------------------------------------ */
/* Notifications: id, uuid, vehicle_id, session_id, severity, kind, title,
 * body, created_us, read */

#define SQL_NOTIF_COLUMNS \
  "id, uuid, vehicle_id, session_id, severity, kind, title, body, created_us, read"
#define SQL_NOTIF_GET "SELECT " SQL_NOTIF_COLUMNS " FROM notifications WHERE id = ?"
#define SQL_NOTIF_LIST \
  "SELECT " SQL_NOTIF_COLUMNS " FROM notifications" \
  " WHERE (?1 = 0 OR vehicle_id = ?1) AND (?2 = 0 OR read = 0)" \
  " ORDER BY created_us DESC, id DESC"
#define SQL_NOTIF_INSERT \
  "INSERT INTO notifications (uuid, vehicle_id, session_id, severity, kind, title, body," \
  " created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
#define SQL_NOTIF_READ "UPDATE notifications SET read = 1 WHERE id = ?"

/* ------------------------------------------------------------------ */
/* Notes: id, uuid, vehicle_id, session_id, author, text, created_us */

#define SQL_NOTE_COLUMNS "id, uuid, vehicle_id, session_id, author, text, created_us"
#define SQL_NOTE_GET "SELECT " SQL_NOTE_COLUMNS " FROM notes WHERE id = ?"
#define SQL_NOTE_LIST \
  "SELECT " SQL_NOTE_COLUMNS " FROM notes" \
  " WHERE vehicle_id = ?1 AND (?2 = 0 OR session_id = ?2) ORDER BY created_us, id"
#define SQL_NOTE_INSERT \
  "INSERT INTO notes (uuid, vehicle_id, session_id, author, text, created_us)" \
  " VALUES (?, ?, ?, ?, ?, ?)"

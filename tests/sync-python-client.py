#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# An independent client of the sync protocol, written from
# src/sync/PROTOCOL.md alone with Debian's python3-websocket (a WebSocket
# client that shares none of our code).  It starts obd2-syncd ($OBD2_SYNCD),
# makes accounts with its admin commands, and checks what the document
# promises: welcome, authentication, idempotent pushes of records and
# packed samples, pulls, subscriptions and live events, pings, errors.
# Prints TAP.

import base64
import datetime
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import uuid

try:
    import websocket  # python3-websocket
except ImportError:
    print("1..0 # SKIP python3-websocket is not installed (build-aux/deps.sh installs it)")
    # A skip would hide a missing check: the project installs it, so fail.
    sys.exit(1)

SYNCD = os.environ.get("OBD2_SYNCD")
results = []


def check(condition, name):
    results.append((bool(condition), name))
    print(("ok" if condition else "not ok") + " %d %s" % (len(results), name), flush=True)


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


class Peer:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=10)
        self.kept = []
        self.welcome = self.next_of("welcome")

    def send(self, type_, payload):
        message_id = str(uuid.uuid4())
        self.ws.send(json.dumps({"type": type_, "payload": payload,
                                 "timestamp": now_iso(), "messageId": message_id}))
        return message_id

    def receive(self):
        if self.kept:
            return self.kept.pop(0)
        return json.loads(self.ws.recv())

    def next_of(self, type_):
        for i, m in enumerate(self.kept):
            if m["type"] == type_:
                return self.kept.pop(i)
        while True:
            m = json.loads(self.ws.recv())
            if m["type"] == type_:
                return m
            self.kept.append(m)

    def reply(self, message_id):
        for i, m in enumerate(self.kept):
            if m["payload"].get("inReplyTo") == message_id:
                return self.kept.pop(i)
        while True:
            m = json.loads(self.ws.recv())
            if m["payload"].get("inReplyTo") == message_id:
                return m
            self.kept.append(m)

    def call(self, type_, payload):
        return self.reply(self.send(type_, payload))


# The same checks on PostgreSQL (OBD2_TEST_BACKEND=postgres, inside
# build-aux/pg-test-cluster run): a database of our own in that cluster.
POSTGRES = os.environ.get("OBD2_TEST_BACKEND") == "postgres"
OPTION = "--postgres" if POSTGRES else "--db"


def new_location(workdir):
    if not POSTGRES:
        return os.path.join(workdir, "server.db")
    name = "py%d" % os.getpid()
    subprocess.run(["psql", "-q", "-c", "CREATE DATABASE " + name], check=True,
                   env=dict(os.environ, PGDATABASE="postgres"))
    return "%s dbname=%s" % (os.environ["OBD2_PG_CONNINFO"], name)


def query_int(location, sql):
    if POSTGRES:
        out = subprocess.run(["psql", "-At", "-d", location, "-c", sql], check=True,
                             capture_output=True, text=True)
        return int(out.stdout.strip() or 0)
    con = sqlite3.connect("file:%s?mode=ro" % location, uri=True)
    value = con.execute(sql).fetchone()[0]
    con.close()
    return value


def admin(db, *args):
    out = subprocess.run([SYNCD, OPTION, db, "admin"] + list(args), check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def pack_samples(samples):
    # PROTOCOL.md: 24-byte little-endian records: int64 time_us, double
    # value, uint32 ECU, uint8 service, pid, index, and a zero byte.
    raw = b"".join(struct.pack("<qdIBBBx", t, v, ecu, service, pid, index)
                   for (t, v, ecu, service, pid, index) in samples)
    return base64.b64encode(raw).decode("ascii")


def main():
    if not SYNCD:
        print("Bail out! OBD2_SYNCD is not set: run through meson")
        return 1
    workdir = tempfile.mkdtemp(prefix="sync-python-")
    server = None
    try:
        db = new_location(workdir)
        org = admin(db, "create-organisation", "Python Garage")
        user = admin(db, "create-user", org, "Pat", "mechanic")
        token = admin(db, "create-token", user)
        other_org = admin(db, "create-organisation", "Elsewhere")
        other_token = admin(db, "create-token", admin(db, "create-user", other_org, "Olaf",
                                                      "mechanic"))

        server = subprocess.Popen([SYNCD, OPTION, db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        line = server.stdout.readline()
        port = int(line.split("port ")[1].split()[0])
        url = "ws://127.0.0.1:%d/sync" % port

        # healthz over plain HTTP
        import urllib.request
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=10) as r:
            health = json.loads(r.read())
        check(health["status"] == "ok" and health["protocolVersion"] == 1, "healthz")

        # welcome
        pc = Peer(url)
        w = pc.welcome["payload"]
        check(w["protocolVersion"] >= 1 >= w["minProtocolVersion"]
              and w["limits"]["maxBatch"] > 0 and w["heartbeatSeconds"] > 0,
              "welcome names the versions, the heartbeat and the limits")

        # before authenticating
        r = pc.call("pull", {"cursor": 0})
        check(r["type"] == "error" and r["payload"]["code"] == "unauthenticated",
              "a pull before authenticate is refused")
        r = pc.call("ping", {})
        check(r["type"] == "pong", "ping works before authenticating")

        # bad token: fatal, closed
        bad = Peer(url)
        r = bad.call("authenticate", {"token": "obd2_" + "0" * 16 + "_" + "0" * 64,
                                      "protocolVersion": 1, "deviceId": str(uuid.uuid4())})
        check(r["type"] == "error" and r["payload"]["code"] == "auth_failed"
              and r["payload"]["fatal"] is True, "a wrong token gets auth_failed, fatal")
        try:
            # websocket-client answers a close frame with an empty message
            closed = bad.ws.recv() in ("", b"")
        except Exception:
            closed = True
        check(closed, "and the server closes the connection")

        # authenticate
        device = str(uuid.uuid4())
        r = pc.call("authenticate", {"token": token, "protocolVersion": 1, "deviceId": device,
                                     "deviceName": "python", "client": "sync-python-client"})
        check(r["type"] == "authentication_success" and r["payload"]["role"] == "mechanic"
              and r["payload"]["organisationId"] == org and r["payload"]["pushedSeq"] == 0,
              "authentication_success with role and organisation")

        # push: a vehicle, a session's samples in two parts, the session
        vehicle = str(uuid.uuid4())
        session = str(uuid.uuid4())
        t0 = 1714557600000000
        samples = [(t0 + i * 100000, 800.0 + i, 0x7E8, 1, 0x0C, 0) for i in range(1000)]
        changes = [
            {"seq": 1, "entity": "vehicle", "entityId": vehicle, "op": "insert",
             "changedAt": t0, "baseVersion": 0,
             "data": {"uuid": vehicle, "vin": "JH4KA7561PC008269", "make": "Acura",
                      "model": "Legend", "year": 1993, "plate": None, "owner_name": None,
                      "odometer_km": None, "created_us": t0, "updated_us": t0}},
            {"seq": 2, "entity": "samples", "entityId": session, "op": "insert",
             "changedAt": 0, "part": 0,
             "data": {"encoding": "obd2-samples-v1", "count": 600,
                      "samples": pack_samples(samples[:600])}},
            {"seq": 2, "entity": "samples", "entityId": session, "op": "insert",
             "changedAt": 0, "part": 1,
             "data": {"encoding": "obd2-samples-v1", "count": 400,
                      "samples": pack_samples(samples[600:])}},
            {"seq": 2, "entity": "session", "entityId": session, "op": "insert",
             "changedAt": t0 + 10 ** 8, "chainSeq": 1,
             "data": {"uuid": session, "vehicle": vehicle, "started_us": t0,
                      "ended_us": t0 + 10 ** 8, "status": "complete", "protocol": "CAN",
                      "adapter": "ELM327", "connection": "python", "hash": "ab" * 32,
                      "prev_hash": None, "sample_count": 1000}},
        ]
        r = pc.call("push", {"changes": changes})
        check(r["type"] == "push_ack" and r["payload"]["ackedSeq"] == 2,
              "push_ack acknowledges up to the last complete seq")
        check(r["payload"]["chain"] == {"seq": 1, "hash": "ab" * 32},
              "push_ack carries the chain anchor")
        check(any(v["entityId"] == vehicle and v["version"] == 1
                  for v in r["payload"]["versions"]), "push_ack gives the vehicle's version")

        # the same push again (a lost ack): stored once
        r = pc.call("push", {"changes": changes})
        check(r["type"] == "push_ack" and r["payload"]["ackedSeq"] == 2,
              "the same push again is acknowledged")
        n_changes = query_int(db, "SELECT count(*) FROM changes")
        n_samples = query_int(db, "SELECT sum(count) FROM sample_chunks")
        check(n_changes == 2 and n_samples == 1000, "and stored exactly once")

        # samples that do not decode
        r = pc.call("push", {"changes": [
            {"seq": 3, "entity": "samples", "entityId": session, "op": "insert",
             "changedAt": 0, "part": 0,
             "data": {"encoding": "obd2-samples-v1", "count": 2,
                      "samples": pack_samples(samples[:1])}}]})
        err = r if r["type"] == "error" else pc.next_of("error")
        check(err["payload"]["code"] == "bad_message", "a wrong sample count is bad_message")

        # a second PC of the garage pulls what the first pushed
        pc2 = Peer(url)
        pc2.call("authenticate", {"token": token, "protocolVersion": 1,
                                  "deviceId": str(uuid.uuid4())})
        r = pc2.call("pull", {"cursor": 0, "limit": 1000})
        got = {(c["entity"], c["entityId"]) for c in r["payload"]["changes"]}
        check(r["type"] == "changes" and ("vehicle", vehicle) in got
              and ("session", session) in got and r["payload"]["more"] is False,
              "another device pulls the vehicle and the session")
        r2 = pc2.call("pull", {"cursor": r["payload"]["cursor"]})
        check(r2["payload"]["changes"] == [], "and nothing after the cursor it was given")

        # live: the second PC follows the fleet; the first shares a status
        r = pc2.call("subscribe", {"channels": ["fleet:" + org]})
        check(r["type"] == "subscription_success" and r["payload"]["channels"] == ["fleet:" + org],
              "subscribe to the fleet")
        pc.send("vehicle_status", {"vehicleId": vehicle, "sampledAt": t0,
                                   "values": {"rpm": {"value": 812, "unit": "rpm"}}})
        ev = pc2.next_of("vehicle_status")
        check(ev["payload"]["values"]["rpm"]["value"] == 812
              and ev["payload"]["from"]["deviceId"] == device,
              "the fleet sees the live status, stamped with who sent it")

        # another organisation sees none of it
        stranger = Peer(url)
        stranger.call("authenticate", {"token": other_token, "protocolVersion": 1,
                                       "deviceId": str(uuid.uuid4())})
        r = stranger.call("subscribe", {"channels": ["vehicle:" + vehicle]})
        check(r["type"] == "error" and r["payload"]["code"] == "forbidden",
              "another garage may not follow the vehicle")
        r = stranger.call("pull", {"cursor": 0})
        check(r["payload"]["changes"] == [], "nor pull it")

        # errors keep the connection usable
        pc.ws.send("{not json")
        check(pc.next_of("error")["payload"]["code"] == "bad_json", "bad JSON: bad_json")
        pc.send("levitate", {})
        check(pc.next_of("error")["payload"]["code"] == "unknown_type",
              "an unknown type: unknown_type")
        r = pc.call("pull", {"cursor": "zero"})
        check(r["type"] == "error" and r["payload"]["code"] == "bad_message"
              and "cursor" in r["payload"]["message"], "a bad member is named")
        pc.ws.send_binary(b"\x01\x02")
        check(pc.next_of("error")["payload"]["code"] == "bad_message",
              "a binary frame: bad_message")
        check(pc.call("ping", {})["type"] == "pong", "and the connection still answers")

        # a protocol version the server does not speak
        future = Peer(url)
        r = future.call("authenticate", {"token": token, "protocolVersion": 99,
                                         "deviceId": str(uuid.uuid4())})
        check(r["type"] == "error" and r["payload"]["code"] == "protocol_version",
              "a client too new gets protocol_version")

        for peer in (pc, pc2, stranger, future):
            try:
                peer.ws.close()
            except Exception:
                pass
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    print("1..%d" % len(results))
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# plain-elm.py — a deliberately different ELM327 stand-in on a pty, sharing
# none of our code: it behaves like a cheap clone that keeps linefeeds on,
# ignores AT H1 and AT S0 (headers never shown, spaces always on), answers
# "?" to AT AT2, AT @1 and AT SH, has one ECU, no response-count support
# ("010C 1" is "?"), and answers multi-PID requests only for the first PID.
# Prints the pty path on stdout, serves until stdin closes or SIGTERM.

import os
import pty
import select
import signal
import sys
import termios
import time
import tty

VIN = b"1FTFW1ET9DFC10312"  # a Ford, model year 2013, valid check digit


def pid_reply(pid, t):
    rpm = 800 + 40 * (int(t * 10) % 5)
    table = {
        0x00: [0xBE, 0x1F, 0xA8, 0x13],
        0x20: [0x90, 0x05, 0xB0, 0x15],
        0x40: [0xFA, 0xDC, 0x00, 0x00],
        0x01: [0x81, 0x07, 0x65, 0x04],  # MIL on, 1 code
        0x04: [0x40],
        0x05: [0x7B],
        0x0B: [0x21],
        0x0C: [(rpm * 4) >> 8, (rpm * 4) & 0xFF],
        0x0D: [0x00],
        0x0F: [0x45],
        0x10: [0x02, 0x8A],
        0x11: [0x26],
        0x2F: [0x80],
        0x42: [0x37, 0x5C],
        0x46: [0x3C],
    }
    return table.get(pid)


def hexbytes(data):
    return b" ".join(b"%02X" % b for b in data) + b" "


def answer(line, state):
    cmd = line.replace(b" ", b"").upper()
    if not cmd:
        cmd = state["last"]
    state["last"] = cmd
    if cmd.startswith(b"AT"):
        at = cmd[2:]
        if at in (b"Z", b"WS"):
            return b"\r\rELM327 v1.5"
        if at == b"I":
            return b"ELM327 v1.5"
        if at in (b"E0", b"E1"):
            state["echo"] = at == b"E1"
            return b"OK"
        if at in (b"L0", b"L1", b"S0", b"S1", b"H0", b"H1", b"D", b"AT0", b"AT1", b"CAF1"):
            return b"OK"  # accepted, and ignored: linefeeds, spaces, headers stay as they are
        if at.startswith(b"SP") or at.startswith(b"ST"):
            return b"OK"
        if at == b"DPN":
            return b"6"
        if at == b"DP":
            return b"ISO 15765-4 (CAN 11/500)"
        if at == b"RV":
            return b"12.4V"
        return b"?"
    try:
        raw = bytes.fromhex(cmd.decode())
    except ValueError:
        return b"?"
    if len(cmd) % 2:
        return b"?"  # "010C1": a response count this clone does not know
    service, rest = raw[0], raw[1:]
    t = time.monotonic()
    if service == 0x01 and rest:
        data = pid_reply(rest[0], t)  # only the first PID of a multi-PID request
        if data is None:
            return b"NO DATA"
        return hexbytes([0x41, rest[0]] + data).rstrip()
    if service == 0x03:
        return hexbytes([0x43, 0x01, 0x01, 0x71]).rstrip()  # P0171
    if service in (0x07, 0x0A):
        return hexbytes([service + 0x40, 0x00]).rstrip()
    if service == 0x04:
        return b"44"
    if service == 0x09 and rest[:1] == b"\x02":
        payload = bytes([0x49, 0x02, 0x01]) + VIN
        lines = [b"014"]
        first, payload = payload[:6], payload[6:]
        lines.append(b"0: " + hexbytes(first).rstrip())
        n = 1
        while payload:
            chunk, payload = payload[:7], payload[7:]
            lines.append(b"%d: " % n + hexbytes(chunk).rstrip())
            n += 1
        return b"\r\n".join(lines)
    return b"NO DATA"


def main():
    master, slave = pty.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    print(path, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    state = {"echo": True, "last": b""}
    buf = b""
    while True:
        ready, _, _ = select.select([master, sys.stdin], [], [])
        if sys.stdin in ready and not sys.stdin.buffer.read1(1):
            return
        if master not in ready:
            continue
        buf += os.read(master, 256)
        while b"\r" in buf:
            line, buf = buf.split(b"\r", 1)
            line = line.strip(b"\n\x7f")
            reply = answer(line, state)
            out = (line + b"\r\n" if state["echo"] else b"") + reply + b"\r\n\r\n>"
            time.sleep(0.005)
            os.write(master, out)


if __name__ == "__main__":
    main()

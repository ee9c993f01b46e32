#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# sim-pty-client.py PATH — talks to an ELM327 on a pseudo-terminal the way
# other OBD programs do (plain termios, nothing of this project's code) and
# checks the shape of every reply.  Exits 0 when all checks pass, 1 when
# one fails, 2 on bad usage.

import os
import re
import select
import sys
import termios
import time

TIMEOUT_S = 10.0


class Failure(Exception):
    pass


def open_port(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    attrs = termios.tcgetattr(fd)
    # Raw mode by hand: no CR/NL translation, no echo, 8 bits.
    attrs[0] = 0                                    # iflag
    attrs[1] = 0                                    # oflag
    attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
    attrs[3] = 0                                    # lflag
    attrs[4] = termios.B115200
    attrs[5] = termios.B115200
    attrs[6][termios.VMIN] = 0
    attrs[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    termios.tcflush(fd, termios.TCIOFLUSH)
    return fd


def command(fd, text):
    os.write(fd, text.encode("ascii") + b"\r")
    reply = b""
    deadline = time.monotonic() + TIMEOUT_S
    while not reply.endswith(b">"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("%s: no prompt within %.0f s, got %r" % (text, TIMEOUT_S, reply))
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            reply += os.read(fd, 1024)
    # Lines as an OBD program sees them: split on CR/LF, blanks dropped.
    body = reply[:-1].decode("ascii", "replace")
    return [line.strip() for line in re.split(r"[\r\n]+", body) if line.strip()]


def expect(condition, message):
    if not condition:
        raise Failure(message)


def main():
    if len(sys.argv) != 2:
        print("usage: sim-pty-client.py /dev/pts/N", file=sys.stderr)
        return 2

    fd = open_port(sys.argv[1])
    try:
        lines = command(fd, "ATZ")
        expect(any("ELM327" in line for line in lines), "ATZ: no ELM327 banner in %r" % lines)

        lines = command(fd, "ATE0")
        expect(lines[-1] == "OK", "ATE0: expected OK, got %r" % lines)
        for setting in ("ATL0", "ATS1", "ATH1", "ATSP0"):
            lines = command(fd, setting)
            expect(lines == ["OK"], "%s: expected OK alone (echo off), got %r" % (setting, lines))

        # CAN 11-bit with headers: "7E8 06 41 00 xx xx xx xx ..".
        lines = command(fd, "0100")
        data = [line for line in lines if line != "SEARCHING..."]
        expect(len(data) >= 1, "0100: no reply in %r" % lines)
        ids = set()
        for line in data:
            expect(re.fullmatch(r"7E[89]( [0-9A-F]{2}){8}", line) is not None,
                   "0100: unexpected line %r" % line)
            fields = line.split()
            expect(fields[1] == "06" and fields[2:4] == ["41", "00"],
                   "0100: not a single-frame 41 00 reply: %r" % line)
            ids.add(fields[0])
        expect("7E8" in ids, "0100: the engine ECU (7E8) did not answer: %r" % lines)

        lines = command(fd, "010C")
        expect(len(lines) == 1, "010C: expected one reply, got %r" % lines)
        fields = lines[0].split()
        expect(fields[:4] == ["7E8", "04", "41", "0C"], "010C: unexpected %r" % lines)
        rpm = (int(fields[4], 16) * 256 + int(fields[5], 16)) / 4
        expect(300 < rpm < 7000, "010C: implausible engine speed %.0f rpm" % rpm)

        # ISO-TP multi-frame VIN: first frame, then consecutive frames.
        lines = command(fd, "0902")
        expect(len(lines) == 3, "0902: expected three frames, got %r" % lines)
        frames = [line.split() for line in lines]
        expect(frames[0][1] == "10" and frames[0][2] == "14", "0902: bad first frame %r" % lines)
        expect([f[1] for f in frames[1:]] == ["21", "22"], "0902: bad sequence %r" % lines)
        payload = frames[0][6:] + frames[1][2:] + frames[2][2:]
        vin = bytes(int(b, 16) for b in payload[:17]).decode("ascii")
        expect(re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin) is not None, "0902: bad VIN %r" % vin)

        lines = command(fd, "03")
        expect(len(lines) >= 1, "03: no reply")
        for line in lines:
            fields = line.split()
            expect(fields[0] in ("7E8", "7E9") and fields[2] == "43",
                   "03: unexpected line %r" % line)
            count = int(fields[3], 16)
            expect(int(fields[1], 16) >= 2 + 2 * count or fields[1].startswith("1"),
                   "03: count byte %d does not fit %r" % (count, line))
    except Failure as failure:
        print("FAIL: %s" % failure, file=sys.stderr)
        return 1
    finally:
        os.close(fd)

    print("PASS: %s behaves like an ELM327 (VIN %s, %.0f rpm)" % (sys.argv[1], vin, rpm))
    return 0


if __name__ == "__main__":
    sys.exit(main())

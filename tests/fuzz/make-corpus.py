#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the seed corpus of fuzz-elm-response from the parser transcripts in
# tests/data/elm/: one file per transcript, an option byte (as the target
# reads it) followed by the raw reply.
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'data', 'elm')
OUT = os.path.join(HERE, 'corpus', 'elm-response')
COMMANDS = [None, '010C', '0902', 'ATI']


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            e = s[i + 1]
            if e == 'x':
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {'r': b'\r', 'n': b'\n', 't': b'\t', '\\': b'\\'}[e]
            i += 2
            continue
        out += c.encode()
        i += 1
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in sorted(os.listdir(SRC)):
        if not name.endswith('.txt'):
            continue
        protocol, headers, command, reply = 0, 0, None, b''
        with open(os.path.join(SRC, name)) as f:
            for line in f:
                line = line.rstrip('\n')
                m = re.match(r'([a-z-]+): ?(.*)$', line)
                if not m or line.startswith('#'):
                    continue
                key, value = m.groups()
                if key == 'protocol':
                    protocol = int(value, 16)
                elif key == 'headers':
                    headers = 1 if value == 'yes' else 0
                elif key == 'command':
                    command = value
                elif key == 'reply':
                    reply += unescape(value)
        cmd = COMMANDS.index(command) if command in COMMANDS else 0
        option = protocol | headers << 4 | cmd << 5
        with open(os.path.join(OUT, name[:-4]), 'wb') as f:
            f.write(bytes([option]) + reply)
    return 0


if __name__ == '__main__':
    sys.exit(main())

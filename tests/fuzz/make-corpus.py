#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the seed corpora of the fuzz targets, each in the layout its
# target reads (see the comment at the top of each fuzz-*.c):
#
#   elm-response  from the parser transcripts in tests/data/elm/: one file
#                 per transcript, an option byte followed by the raw reply
#   dtc, modes    replies of real vehicles (SAE J1979 examples and the
#                 parser tests), split into messages
#   decode        PID replies, VINs and names people type
#   sim-elm       host sessions with the virtual ELM327, and options strings
#
#   tests/fuzz/make-corpus.py [CORPUS...]     (default: all of them)
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'data', 'elm')
CORPUS = os.path.join(HERE, 'corpus')
OUT = os.path.join(CORPUS, 'elm-response')
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


def write_elm_response():
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


# fuzz_ecu() in fuzz-common.c: the ECU selector byte of a message
ECUS = [0x7E8, 0x7E9, 0x7EA, 0x18DAF110, 0x18DAF118, 0x10, 0x1A, 0]
VIN = '1HGCM82633A004352'


def h(text):
    return bytes.fromhex(text)


def messages(*msgs):
    """(ecu, bytes) pairs in the layout of fuzz_response_new()."""
    out = bytearray()
    for ecu, data in msgs:
        assert len(data) < 256
        out += bytes([len(data), ECUS.index(ecu)]) + data
    return bytes(out)


def write(corpus, name, data):
    path = os.path.join(CORPUS, corpus)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), 'wb') as f:
        f.write(data)


# fuzz-dtc: option byte = service index | CAN << 3 | want ECU list << 4
DTC_SERVICES = [0x03, 0x07, 0x0A, 0x43, 0x47, 0x4A]


def dtc_option(service, can, ecus=True):
    return bytes([DTC_SERVICES.index(service) | can << 3 | ecus << 4])


def write_dtc():
    seeds = {
        # ISO 15765-4: a count byte, then the pairs
        'can-two-codes': (0x03, 1, [(0x7E8, h('43 02 01 43 03 01'))]),
        'can-no-codes': (0x03, 1, [(0x7E8, h('43 00'))]),
        'can-three-ecus': (0x03, 1, [(0x7E9, h('43 01 07 00')),
                                     (0x7E8, h('43 02 04 20 04 30')),
                                     (0x7EA, h('43 00'))]),
        'can-long-list': (0x43, 1, [(0x7E8, h('43 07 01 71 01 74 03 00 03 01 03 04 '
                                               'C1 00 81 23'))]),
        'can29-pending': (0x07, 1, [(0x18DAF110, h('47 01 03 02'))]),
        'can-refused-and-ok': (0x03, 1, [(0x7E9, h('7F 03 12')),
                                         (0x7E8, h('43 01 01 01'))]),
        'can-refused': (0x0A, 1, [(0x7E8, h('7F 0A 11'))]),
        'can-headers-off': (0x03, 1, [(0, h('43 01 03 01 00 00 00'))]),
        # legacy: three pairs a message, 0000 padding
        'legacy-three-codes': (0x03, 0, [(0x10, h('43 01 43 01 96 02 34'))]),
        'legacy-two-ecus': (0x03, 0, [(0x10, h('43 01 33 02 45 C1 23')),
                                      (0x1A, h('43 00 00 00 00 00 00')),
                                      (0x10, h('43 04 20 00 00 00 00'))]),
        'legacy-permanent': (0x0A, 0, [(0x10, h('4A 04 20 00 00 00 00'))]),
        # Mode 04 acknowledgements and refusals
        'clear-ok': (0x03, 1, [(0x7E8, h('44')), (0x7E9, h('44'))]),
        'clear-refused': (0x03, 1, [(0x7E8, h('44')), (0x7E9, h('7F 04 22'))]),
        # freeze frame DTC, Mode 01 and Mode 02 (with the frame number)
        'freeze-frame': (0x03, 1, [(0x7E8, h('41 02 01 33')), (0x7E8, h('42 02 00 C0 35'))]),
        'freeze-frame-none': (0x03, 1, [(0x7E8, h('41 02 00 00'))]),
    }
    for name, (service, can, msgs) in seeds.items():
        write('dtc', name, dtc_option(service, can) + messages(*msgs))
    # the code parser reads the input after the option byte as text
    for name, text in [('code-p0301', 'P0301'), ('code-lower-blanks', ' c0035 '),
                       ('code-u0100', 'U0100'), ('code-b3fff', 'B3FFF')]:
        write('dtc', name, dtc_option(0x03, 1, False) + text.encode())


# fuzz-modes: option byte = CAN | want bitmaps << 1, then the InfoType
def modes(can, infotype, *msgs):
    return bytes([can | 2, infotype]) + messages(*msgs)


def legacy_vin_messages(vin, order):
    data = b'\0\0\0' + vin.encode()
    chunks = [data[i:i + 4] for i in range(0, len(data), 4)]
    return [(0x10, bytes([0x49, 0x02, seq]) + chunks[seq - 1]) for seq in order]


def write_modes():
    ecu_name = b'ECM\0-EngineControl\0\0'
    assert len(ecu_name) == 20
    ipt = h('49 08 14') + b''.join(bytes([0, i]) for i in range(20))
    seeds = {
        # Mode 06: one 9-byte record a test, or a MID and a bitmap
        'mode06-catalyst': modes(1, 0x02, (0x7E8, h('46 21 80 01 00 9E 00 00 01 00'))),
        'mode06-two-records': modes(1, 0x02, (0x7E8, h('46 A2 0B 24 00 05 00 00 00 00 '
                                                        'A2 0C 24 00 00 00 00 00 00'))),
        'mode06-signed': modes(1, 0x02, (0x7E8, h('46 3C 81 FE FF 38 FE 0C 00 00 '
                                                   '3C 82 FE FC 18 FE 0C 00 00'))),
        'mode06-bitmaps': modes(1, 0x00, (0x7E8, h('46 00 C0 00 00 01 20 80 00 80 00')),
                                (0x7E9, h('46 00 00 00 00 00'))),
        'mode06-refused-and-ok': modes(1, 0x02, (0x7E8, h('46 41 81 14 00 0A 00 04 00 14')),
                                       (0x7E9, h('7F 06 12')),
                                       (0x7EA, h('46 B0 85 17 27 10 00 00 13 88'))),
        # Mode 09 on CAN: 49 IT NODI data
        'mode09-vin-can': modes(1, 0x02, (0x7E8, h('49 02 01') + VIN.encode())),
        'mode09-vin-can29': modes(1, 0x02, (0x18DAF110, h('49 02 01') + VIN.encode())),
        'mode09-calid': modes(1, 0x04, (0x7E8, h('49 04 02') + b'JMB*36761500\0\0\0\0'
                                        + b'JMB*47872611\0\0\0\0')),
        'mode09-cvn': modes(1, 0x06, (0x7E8, h('49 06 02 17 91 BC 82 16 E0 62 BE'))),
        'mode09-ipt-spark': modes(1, 0x08, (0x7E8, ipt)),
        'mode09-ipt-compression': modes(1, 0x0B, (0x7E8, h('49 0B 12') +
                                                  b''.join(bytes([0, 10 * i])
                                                           for i in range(18)))),
        'mode09-ecu-name': modes(1, 0x0A, (0x7E8, h('49 0A 01') + ecu_name)),
        'mode09-supported': modes(1, 0x00, (0x7E8, h('49 00 55 40 00 00')),
                                  (0x7E9, h('49 00 14 40 00 00'))),
        'mode09-refused': modes(1, 0x02, (0x7E8, h('7F 09 12'))),
        # Mode 09 on legacy buses: 49 IT SEQ and four bytes, in any order
        'mode09-vin-legacy': modes(0, 0x02, *legacy_vin_messages(VIN, [2, 1, 4, 3, 5])),
        'mode09-cvn-legacy': modes(0, 0x06, (0x10, h('49 06 01 00 00 A1 5F'))),
        'mode09-supported-legacy': modes(0, 0x00, (0x10, h('49 00 01 7C 00 00 00'))),
        'mode09-count-legacy': modes(0, 0x01, (0x10, h('49 01 05'))),
        'mode09-ipt-legacy': modes(0, 0x08, *[(0x10, bytes([0x49, 0x08, i + 1, 0, i, 1, i]))
                                               for i in range(10)]),
    }
    for name, data in seeds.items():
        write('modes', name, data)


def write_decode():
    seeds = {
        # first byte the PID, the rest its data; the whole also a multi-PID payload
        'pid-rpm': h('0C 1A F8'),
        'pid-multi': h('0C 1A F8 0D 3C 05 7B'),
        'pid-supported': h('00 BE 3F A8 13'),
        'pid-monitor-status': h('01 81 07 65 04'),
        'pid-fuel-system': h('03 02 00'),
        'pid-o2-voltage': h('14 80 7F'),
        'pid-o2-lambda': h('24 80 00 80 00'),
        'pid-obd-standard': h('1C 06'),
        'pid-fuel-type': h('51 01'),
        'pid-maf': h('10 01 F4'),
        'pid-egr': h('69 07 80 40 40'),
        'pid-odometer': h('A6 00 01 E2 40'),
        'pid-unknown': h('C5 00 00'),
        # text: VINs, protocol names from AT DP / AT DPN, unit systems, PID names
        'vin-north-america': VIN.encode(),
        'vin-europe-lower': b' wvwzzz1jz3w386752 ',
        'vin-small-maker': b'SCA9AB12345678901',
        'vin-bad-letter': b'1HGCM82633A00435O',
        'protocol-dpn': b'A6',
        'protocol-dp': b'AUTO, ISO 15765-4 (CAN 11/500)',
        'protocol-key': b'j1850-pwm',
        'units': b'imperial',
        'pid-name': b'rpm',
        'pid-hex': b'0x0C',
    }
    for name, data in seeds.items():
        write('decode', name, data)


def write_cli_args():
    seeds = {
        # each is tried as a duration, a number, a PID list and a name
        'seconds': b'30',
        'seconds-fraction': b'2.5',
        'seconds-point': b'.5',
        'minutes': b'10m',
        'minutes-long': b'10min',
        'hours': b'1.5h',
        'nan': b'nan',
        'inf': b'-inf',
        'exponent': b'1e3',
        'hex': b'0x10',
        'overflow': b'99999999999999999999',
        'too-long': b'721h',
        'pids': b'rpm,0C,speed,,05',
        'pid-bitmap': b'00',
        'uuid': b'3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        'vin': b'1HGCM82633A004352',
        'vin-short': b'WDB1140',
        'path': b'../etc/passwd',
    }
    for name, data in seeds.items():
        write('cli-args', name, data)


# fuzz-sim-elm: profile | protocol index << 3, fault bits, scenario index,
# then chunks: length | pause << 6 (0 none, 1 1 ms, 2 100 ms, 3 until quiet)
PROFILES = ['genuine', 'clone-v15', 'clone-no-multi', 'clone-echo-stuck',
            'clone-reset-drop', 'bt-chatter', 'clone-silent-at']
SCENARIOS = ['healthy-idle', 'driving-cycle', 'misfire', 'overheating',
             'lean-mixture', 'failing-catalyst', 'weak-battery']
FAULTS = {'garbage': 0x01, 'truncate': 0x02, 'can-error': 0x04, 'bus-busy': 0x08,
          'drop-after': 0x10, 'stall': 0x20, 'ignition-off': 0x40, 'drop-at': 0x80}
QUIET = 3


def session(profile='genuine', protocol=6, faults=(), scenario='healthy-idle', steps=()):
    out = bytearray([PROFILES.index(profile) | (protocol - 1) << 3,
                     sum(FAULTS[f] for f in faults),
                     SCENARIOS.index(scenario)])
    for step in steps:
        pause, text = step if isinstance(step, tuple) else (QUIET, step + '\r')
        data = text.encode('latin-1')
        while True:
            out += bytes([len(data[:63]) | pause << 6]) + data[:63]
            data = data[63:]
            pause = 0
            if not data:
                break
    return bytes(out)


def write_sim_elm():
    start = ['ATZ', 'ATE0', 'ATL0', 'ATS0', 'ATH1', 'ATSP0']
    seeds = {
        'session-basic': session(steps=['ATZ', 'ATE0', 'ATI', 'ATSP0', '0100', '010C',
                                        'ATDPN', '03', '0902']),
        'session-headers': session(scenario='misfire',
                                   steps=start + ['010C0D05 1', '0100', '03', '07', '0A',
                                                  '0902', '0600', '0621', '04']),
        'session-repeat': session(steps=['ATE0', '010C', '', '', 'ATRV', 'ATDP']),
        'session-monitor': session(steps=['ATE0', 'ATH1', 'ATMA', (2, ''), (2, 'x')]),
        'session-interrupt': session(steps=['ATE0', (QUIET, '0100\r'), (0, '0'),
                                            (1, '0100\r'), (1, '\r')]),
        'session-settings': session(steps=['ATD', 'ATAT2', 'ATST19', 'ATCAF0', 'ATSH7E0',
                                           'ATCRA7E8', '0100', 'ATCRA', 'ATAR', 'ATWS',
                                           'ATPC', 'ATBI', 'ATLP', 'ATBRD45']),
        'session-can29': session(protocol=7, scenario='failing-catalyst',
                                 steps=start + ['ATSH18DB33F1', 'ATCRA18DAF110', '0902',
                                                '03', '0600']),
        'session-iso9141': session(protocol=3, scenario='overheating',
                                   steps=['ATE0', 'ATH1', 'ATSP3', '0100', '0105', '03',
                                          '0902', 'ATPC', '010C']),
        'session-j1850-pwm': session(protocol=1, scenario='lean-mixture',
                                     steps=start + ['0100', '03', '0902', 'ATDP']),
        'session-kwp-fast': session(protocol=5, scenario='weak-battery',
                                    steps=['ATE0', 'ATSP5', 'ATH1', '0100', '03', '0902']),
        'session-wrong-protocol': session(steps=['ATE0', 'ATSP3', '0100', 'ATTPA6',
                                                 '0100']),
        'clone-v15': session(profile='clone-v15', steps=['ATZ', 'ATAT1', 'ATCRA7E8', 'ATI',
                                                         '0100']),
        'clone-no-multi': session(profile='clone-no-multi',
                                  steps=['ATE0', '010C0D05', '010C0D05 1']),
        'clone-echo-stuck': session(profile='clone-echo-stuck', steps=['ATE0', '0100']),
        'clone-reset-drop': session(profile='clone-reset-drop', steps=['ATZ', 'ATI', 'ATE0']),
        'clone-bt-chatter': session(profile='bt-chatter',
                                    steps=['ATE0'] + ['010C'] * 8),
        'clone-silent-at': session(profile='clone-silent-at',
                                   steps=['ATD', 'ATST10', 'ATAT1', 'ATI']),
        'faults-garbage-truncate': session(faults=['garbage', 'truncate'],
                                           steps=['ATE0'] + ['010C'] * 8),
        'faults-bus': session(faults=['can-error', 'bus-busy'],
                              steps=['ATE0'] + ['0100'] * 10),
        'faults-drop': session(faults=['drop-after', 'stall'],
                               steps=['ATE0'] + ['010D'] * 8),
        'faults-ignition-drop-at': session(faults=['ignition-off', 'drop-at'],
                                           steps=['ATE0', '0100', 'ATIGN', 'ATRV']),
        'bytes-binary': session(steps=[(QUIET, '\x00\x7f\xff\n\r'), (0, 'at\tz\r'),
                                       (QUIET, '01 0c\r')]),
    }
    for name, data in seeds.items():
        write('sim-elm', name, data)
    # options strings (first byte with bit 7 set)
    options = {
        'options-default': '',
        'options-scenario': 'misfire',
        'options-full': 'failing-catalyst?profile=clone-v15&timing=0&protocol=3&seed=7'
                        '&baud=38400&fault=garbage:2,truncate:3',
        'options-faults': 'healthy-idle?fault=drop-after:5,stall:2:250,ignition-off,'
                          'can-error:4,bus-busy:3,drop-at:900',
        'options-bad-scenario': 'bogus?profile=genuine',
        'options-bad-value': 'misfire?baud=12&protocol=A',
    }
    for name, text in options.items():
        write('sim-elm', name, b'\x80' + text.encode())


WRITERS = {
    'elm-response': write_elm_response,
    'dtc': write_dtc,
    'modes': write_modes,
    'decode': write_decode,
    'cli-args': write_cli_args,
    'sim-elm': write_sim_elm,
}


def main():
    names = sys.argv[1:] or list(WRITERS)
    for name in names:
        if name not in WRITERS:
            print('unknown corpus %s; known: %s' % (name, ', '.join(WRITERS)),
                  file=sys.stderr)
            return 2
        WRITERS[name]()
    return 0


if __name__ == '__main__':
    sys.exit(main())

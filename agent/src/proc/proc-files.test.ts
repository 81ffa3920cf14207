import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCmdline, parseIo, parseNetDev, parseStat, parseStatmResident } from './proc-files';

// Captured from a Debian 12 host (kernel 6.x).
const read = (name: string) => readFileSync(join(__dirname, 'testdata', name), 'utf8');

describe('/proc file parsers', () => {
  it('reads the stat fields pxgate reports', () => {
    expect(parseStat(read('stat.txt'))).toEqual({
      pid: 1,
      comm: 'process_api',
      flags: 4194560,
      minorFaults: 41849,
      majorFaults: 0,
      utimeTicks: 429,
      stimeTicks: 759,
      numThreads: 13,
      startTicks: 20n,
      vsizeBytes: 44658688,
    });
  });

  it('reads a command name holding spaces and parentheses', () => {
    const text =
      '4242 (my (odd) name) S 1 4242 4242 0 -1 4194304 7 0 1 0 3 4 0 0 20 0 2 0 987654 1048576 256 18446744073709551615';
    expect(parseStat(text)).toMatchObject({
      pid: 4242,
      comm: 'my (odd) name',
      majorFaults: 1,
      numThreads: 2,
      startTicks: 987654n,
      vsizeBytes: 1048576,
    });
  });

  it('refuses a truncated stat line instead of inventing fields', () => {
    expect(parseStat('4242 (cut) S 1 2 3')).toBeUndefined();
    expect(parseStat('')).toBeUndefined();
  });

  it('reads resident pages, io counters and interface counters', () => {
    expect(parseStatmResident(read('statm.txt'))).toBe(3305);
    expect(parseIo(read('io.txt'))).toEqual({
      rchar: 6976,
      wchar: 0,
      readBytes: 0,
      writeBytes: 0,
    });
    expect(parseIo('rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\n')).toEqual({
      rchar: 10,
      wchar: 20,
      readBytes: 4096,
      writeBytes: 8192,
    });
    const devs = parseNetDev(read('net-dev.txt'));
    expect(devs.map((d) => d.iface)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(devs[3]).toEqual({
      iface: 'eth0',
      rxBytes: 1737307845,
      rxPackets: 82445,
      rxErrors: 0,
      rxDrops: 0,
      txBytes: 8641373,
      txPackets: 62127,
      txErrors: 0,
      txDrops: 0,
    });
  });

  it('joins cmdline arguments with spaces', () => {
    expect(parseCmdline(Buffer.from('python3\0-m\0http.server\0'))).toBe('python3 -m http.server');
  });
});

import fc from 'fast-check';
import { readFileSync, realpathSync } from 'node:fs';
import { fuzzParams } from '../../../test/support/fuzz';
import { executableMappings, fileKey } from './proc-maps';

// From a real process: a non-PIE executable, libraries, a deleted file, anonymous and special
// mappings.
const MAPS = `00400000-00b6f000 r--p 00000000 fe:00 260689                             /usr/bin/node
00b6f000-00b71000 r-xp 0076f000 fe:00 260689                             /usr/bin/node
00b72000-025fe000 r-xp 00772000 fe:00 260689                             /usr/bin/node
05ab8000-05d35000 rw-p 00000000 00:00 0                                  [heap]
7f3a52701000-7f3a5275e000 r-xp 0001f000 fe:00 5595175                    /usr/lib/x86_64-linux-gnu/libssl.so.3
7f3a5275e000-7f3a5277c000 r--p 0007c000 fe:00 5595175                    /usr/lib/x86_64-linux-gnu/libssl.so.3
7f3a52800000-7f3a52801000 r-xs 00000000 00:01 4121                       /memfd:sealed (deleted)
7f3a52900000-7f3a52901000 r-xp 00000000 103:02 77                        /opt/app/lib with space.so
7ffd5e3f2000-7ffd5e3f4000 r-xp 00000000 00:00 0                          [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

describe('executableMappings', () => {
  it('lists each file mapped executable once, named as /proc/PID/map_files names it', () => {
    expect(executableMappings(MAPS)).toEqual([
      { range: 'b6f000-b71000', key: '254:0:260689', path: '/usr/bin/node', deleted: false },
      {
        range: '7f3a52701000-7f3a5275e000',
        key: '254:0:5595175',
        path: '/usr/lib/x86_64-linux-gnu/libssl.so.3',
        deleted: false,
      },
      { range: '7f3a52800000-7f3a52801000', key: '0:1:4121', path: '/memfd:sealed', deleted: true },
      {
        range: '7f3a52900000-7f3a52901000',
        key: '259:2:77',
        path: '/opt/app/lib with space.so',
        deleted: false,
      },
    ]);
  });

  it('reads this very process, whose executable is among its mappings', () => {
    const own = executableMappings(readFileSync('/proc/self/maps', 'utf8'));
    expect(own.map((m) => m.path)).toContain(realpathSync(process.execPath));
    expect(own.length).toBeGreaterThan(1);
    expect(new Set(own.map((m) => m.key)).size).toBe(own.length);
  });

  it('writes a file key as major:minor:inode', () => {
    expect(fileKey(254, 0, 5595175)).toBe('254:0:5595175');
  });

  it('never throws on arbitrary text, and every mapping it gives comes from an executable line', () => {
    const lineArb = fc.oneof(
      fc.string(),
      fc.constantFrom(...MAPS.split('\n')),
      fc
        .tuple(
          fc.constantFrom(...MAPS.split('\n').filter(Boolean)),
          fc.nat(),
          fc.string({ maxLength: 3 }),
        )
        .map(([l, at, s]) => l.slice(0, at % (l.length + 1)) + s + l.slice(at % (l.length + 1))),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), (lines) => {
        for (const m of executableMappings(lines.join('\n'))) {
          expect(m.path.startsWith('/')).toBe(true);
          expect(m.range).toMatch(/^[0-9a-f]+-[0-9a-f]+$/);
          expect(m.key).toMatch(/^\d+:\d+:[1-9]\d*$/);
          expect(lines.some((l) => l.includes(' ' + m.path) && /^\S+ ..x/.test(l))).toBe(true);
        }
      }),
      fuzzParams(1000),
    );
  });
});

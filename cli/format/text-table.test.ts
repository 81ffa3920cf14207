import { formatCsv, formatTable } from './text-table';

describe('text tables and CSV', () => {
  it('keeps every CSV value exact, line breaks and quotes inside quotes', () => {
    expect(
      formatCsv(
        ['a', 'b'],
        [
          ['x\ny', 'say "hi", then go'],
          [12, null],
        ],
      ),
    ).toBe('a,b\n"x\ny","say ""hi"", then go"\n12,');
  });

  it('aligns by characters, not bytes, and right-aligns the columns it is told are numbers', () => {
    expect(
      formatTable(
        ['d', 'n'],
        [
          ['1.25 µs', '7 B'],
          ['12.5 ms', '12.4 KiB'],
        ],
        [true, true],
      ),
    ).toBe(['      d         n', '1.25 µs       7 B', '12.5 ms  12.4 KiB'].join('\n'));
  });
});

import { HeaderField, HpackDecoder } from './hpack-decoder';

const LIMITS = { maxBlockBytes: 65536, maxTableBytes: 65536, maxFieldBytes: 65536 };

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const fields = (...pairs: [string, string][]): HeaderField[] =>
  pairs.map(([name, value]) => ({ name, value }));

function decodeOk(d: HpackDecoder, block: Buffer): HeaderField[] {
  const r = d.decode(block);
  if (r.kind !== 'ok') throw new Error(`decode failed: ${r.reason}`);
  expect(r.unknown).toBe(0);
  return r.fields;
}

// RFC 7541 Appendix C: the requests of C.3 (plain) and C.4 (Huffman) decode to the same lists.
const REQUESTS = [
  fields(
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ),
  fields(
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ),
  fields(
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ),
];
const C3 = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
];
const C4 = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
  '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
];

// C.5 (plain) and C.6 (Huffman): responses with a 256-byte table, so entries are evicted.
const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const RESPONSES = [
  fields(
    [':status', '302'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', 'https://www.example.com'],
  ),
  fields(
    [':status', '307'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', 'https://www.example.com'],
  ),
  fields(
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'],
    ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
  ),
];
const C5 = [
  `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
   2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
   6c65 2e63 6f6d`,
  '4803 3330 37c1 c0bf',
  `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
   54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
   5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
   3d31`,
];
const C6 = [
  `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
   2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
  '4883 640e ffc1 c0bf',
  `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
   77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
   9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
];

describe('HpackDecoder', () => {
  it.each([
    ['C.3 (plain)', C3],
    ['C.4 (Huffman)', C4],
  ])('decodes the requests of RFC 7541 %s on one connection', (_, blocks) => {
    const d = new HpackDecoder(LIMITS);
    expect(blocks.map((b) => decodeOk(d, hex(b)))).toEqual(REQUESTS);
  });

  it.each([
    ['C.5 (plain)', C5],
    ['C.6 (Huffman)', C6],
  ])('decodes the responses of RFC 7541 %s, evicting as a 256-byte table does', (_, blocks) => {
    const d = new HpackDecoder(LIMITS);
    d.settingsTableSize(256);
    expect(blocks.map((b) => decodeOk(d, hex(b)))).toEqual(RESPONSES);
    // After C.x.3 the table holds set-cookie, content-encoding and date (215 bytes); the
    // entries before them were evicted, so index 65 (the fourth) no longer exists.
    expect(decodeOk(d, hex('be bf c0'))).toEqual([
      RESPONSES[2]![5],
      RESPONSES[2]![4],
      { name: 'date', value: 'Mon, 21 Oct 2013 20:13:22 GMT' },
    ]);
    expect(d.decode(hex('c1'))).toEqual({ kind: 'ok', fields: [], unknown: 1, dropped: 0 });
  });

  it('decodes the single representations of RFC 7541 C.2', () => {
    const d = new HpackDecoder(LIMITS);
    expect(
      decodeOk(d, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')),
    ).toEqual(fields(['custom-key', 'custom-header']));
    expect(decodeOk(d, hex('040c 2f73 616d 706c 652f 7061 7468'))).toEqual(
      fields([':path', '/sample/path']),
    );
    expect(decodeOk(d, hex('1008 7061 7373 776f 7264 0673 6563 7265 74'))).toEqual(
      fields(['password', 'secret']),
    );
    expect(decodeOk(d, hex('82'))).toEqual(fields([':method', 'GET']));
    // Only the first was added to the table.
    expect(decodeOk(d, hex('be'))).toEqual(fields(['custom-key', 'custom-header']));
    expect(d.decode(hex('bf'))).toMatchObject({ kind: 'ok', unknown: 1 });
  });
});

describe('HpackDecoder on lying or broken blocks', () => {
  const bad: [string, string][] = [
    ['a string longer than the block', '000a 6162 63'],
    ['a name string cut short', '00'],
    ['an integer cut short', '7f'],
    ['an integer too large', 'ff ff ff ff ff 7f'],
    ['index 0', '80'],
    ['a size update after a field', '82 3f e1 1f'],
    ['a bad Huffman string', '0081 00'],
  ];

  it.each(bad)('rejects %s and forgets its table', (_, block) => {
    const d = new HpackDecoder(LIMITS);
    expect(
      decodeOk(d, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')),
    ).toHaveLength(1);
    expect(d.decode(hex(block))).toMatchObject({ kind: 'error' });
    // The entry added before may have been changed by the broken block: it is no longer used.
    expect(d.decode(hex('be 82'))).toEqual({
      kind: 'ok',
      fields: fields([':method', 'GET']),
      unknown: 1,
      dropped: 0,
    });
  });

  it('rejects a block past its size limit before reading it', () => {
    const d = new HpackDecoder({ ...LIMITS, maxBlockBytes: 4 });
    expect(d.decode(hex('8286 8488'))).toMatchObject({ kind: 'ok' });
    expect(d.decode(hex('8286 8488 88'))).toEqual({
      kind: 'error',
      reason: 'header block too large',
    });
  });

  it('keeps the indices of later entries right after one whose name it never knew', () => {
    const d = new HpackDecoder(LIMITS);
    d.lose();
    // Literal with indexing naming entry 62 (unknown), then a literal entry: 62 is it, 63 the
    // placeholder.
    const r = d.decode(hex('7e 0161 4001 6201 63 be bf'));
    expect(r).toEqual({
      kind: 'ok',
      fields: fields(['b', 'c'], ['b', 'c']),
      unknown: 2,
      dropped: 0,
    });
  });

  it('drops fields past maxFieldBytes but still adds them to the table', () => {
    const d = new HpackDecoder({ ...LIMITS, maxFieldBytes: 27 });
    // :authority www.example.com (25 bytes) is dropped, yet indexed as entry 62.
    expect(d.decode(hex(C3[0]!))).toEqual({
      kind: 'ok',
      fields: fields([':method', 'GET'], [':scheme', 'http'], [':path', '/']),
      unknown: 0,
      dropped: 1,
    });
    // A block of its own has room for it.
    expect(decodeOk(d, hex('be'))).toEqual(fields([':authority', 'www.example.com']));
  });

  it('evicts to a size update, and empties the table at size 0', () => {
    const d = new HpackDecoder(LIMITS);
    decodeOk(d, hex(C3[0]!));
    expect(decodeOk(d, hex('be'))).toEqual(fields([':authority', 'www.example.com']));
    expect(d.decode(hex('20 be'))).toMatchObject({ fields: [], unknown: 1 });
  });
});

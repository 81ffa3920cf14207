import { mkdtempSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturingLogger } from '../../../../test/support/gateway';
import { RecordLog } from './record-log';

describe('RecordLog', () => {
  it('reads its records back, cutting a torn last one with a warning, and appends after them', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pxgate-log-')), 'records.log');
    const { log, lines } = capturingLogger();
    const first = await RecordLog.open(file, 'never', 1000, log);
    expect(first.payloads).toEqual([]);
    for (const text of ['one', 'two', 'three']) await first.records.append(Buffer.from(text));
    await first.records.close();
    truncateSync(file, statSync(file).size - 2);

    const second = await RecordLog.open(file, 'always', 1000, log);
    expect(second.payloads.map(String)).toEqual(['one', 'two']);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/torn last record/) }),
    ]);
    await second.records.append(Buffer.from('four'));
    await second.records.close();
    const third = await RecordLog.open(file, 'never', 1000, log);
    expect(third.payloads.map(String)).toEqual(['one', 'two', 'four']);
    await third.records.rewrite([Buffer.from('all')]);
    await third.records.append(Buffer.from('more'));
    await third.records.close();
    const fourth = await RecordLog.open(file, 'never', 1000, log);
    expect(fourth.payloads.map(String)).toEqual(['all', 'more']);
    await fourth.records.close();
  });
});

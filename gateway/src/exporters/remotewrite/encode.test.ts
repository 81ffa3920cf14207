import { join } from 'node:path';
import { remoteWriteCorpus } from '../../../../test/support/encoding-corpus';
import { expectGoldenBytes, writeEach } from '../../../../test/support/golden-bytes';
import { decodeWriteRequest } from '../../../../test/support/remote-write-schema';
import { ProtoWriter } from '../common/proto-writer';
import { encodeWriteRequest, writeWriteRequest } from './encode';

describe('remote-write encoding', () => {
  it('writes exactly the bytes pinned in testdata for a varied corpus, request after request', () => {
    // A small first buffer, so that the writer grows too.
    const bodies = writeEach(new ProtoWriter(64), remoteWriteCorpus(), writeWriteRequest);
    expectGoldenBytes(join(__dirname, 'testdata', 'write-requests.golden.gz'), bodies);
  });

  it('writes the corpus so that the spec schema decodes every label and sample', () => {
    for (const series of remoteWriteCorpus()) {
      const decoded = decodeWriteRequest(encodeWriteRequest(series)).timeseries;
      // Lone surrogates travel as U+FFFD, as UTF-8 has no other way to carry them.
      const utf8 = (text: string) => Buffer.from(text).toString();
      expect(decoded.map((s) => s.labels.map((l) => [l.name, l.value]))).toEqual(
        series.map((s) => s.labels.map(([n, v]) => [utf8(n), utf8(v)])),
      );
      expect(decoded.map((s) => s.samples.length)).toEqual(series.map((s) => s.samples.length));
    }
  });
});

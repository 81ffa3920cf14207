import { ResponseReader } from './response-reader';

const CHUNKED =
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '1d\r\n{"method":"GET","received":0}\r\n0\r\n\r\n';
const SIZED = 'HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nstatus 404';

describe('ResponseReader', () => {
  it('completes chunked and sized responses however the bytes are split', () => {
    const bytes = Buffer.from(CHUNKED + SIZED + CHUNKED);
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = new ResponseReader();
      const statuses = [
        ...reader.push(bytes.subarray(0, cut)),
        ...reader.push(bytes.subarray(cut)),
      ];
      expect(statuses).toEqual([200, 404, 200]);
    }
  });

  it('completes nothing until the last chunk has arrived', () => {
    const reader = new ResponseReader();
    expect(reader.push(Buffer.from(CHUNKED.slice(0, -2)))).toEqual([]);
    expect(reader.push(Buffer.from('\r\n'))).toEqual([200]);
  });

  it('refuses what the benchmark server never sends', () => {
    expect(() => new ResponseReader().push(Buffer.from('SSH-2.0\r\n\r\n'))).toThrow(
      'not an HTTP/1.x response',
    );
    expect(() => new ResponseReader().push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(
      'a response with neither Content-Length nor chunked encoding',
    );
  });
});

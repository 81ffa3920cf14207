import { silentLogger } from '../../../shared/common/logger';
import { SocketTracer } from './socket-tracer';
import { EbpfUnavailableError } from './unavailable';

const opts = {
  captureBytes: 4096,
  ringBufferBytes: 1 << 20,
  pollIntervalMs: 25,
  maxEventsPerSlice: 64,
};

describe('SocketTracer without libbpf', () => {
  it('says that libbpf is missing and how to install it', () => {
    let error: unknown;
    try {
      SocketTracer.open(
        { ...opts, libbpfPath: '/nonexistent/libbpf.so.1' },
        silentLogger(),
        () => undefined,
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EbpfUnavailableError);
    expect(error).toMatchObject({
      missing: expect.stringMatching(/^\/nonexistent\/libbpf.so.1 could not be loaded \(.+\)$/),
      remedy: expect.stringContaining('apt-get install libbpf1'),
    });
  });
});

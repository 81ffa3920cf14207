import {
  debugInfoDetail,
  encodeRpcStatus,
  retryInfoDetail,
} from '../../../../test/support/rpc-status-schema';
import { MAX_RETRY_INFO_DELAY_MS, retryInfoDelayMs } from './grpc-retry-info';

describe('reading RetryInfo from a grpc-status-details-bin trailer', () => {
  it('reads the delay of a RetryInfo encoded by protobufjs from googleapis schema', () => {
    expect(retryInfoDelayMs(encodeRpcStatus(14, 'busy', [retryInfoDetail(2500)]))).toBe(2500);
    expect(retryInfoDelayMs(encodeRpcStatus(8, '', [retryInfoDetail(0)]))).toBe(0);
  });

  it('skips other details to find the RetryInfo', () => {
    const bytes = encodeRpcStatus(14, 'busy', [debugInfoDetail('x'), retryInfoDetail(1200)]);
    expect(retryInfoDelayMs(bytes)).toBe(1200);
  });

  it('finds no delay in a Status without RetryInfo, or in bytes that are no Status', () => {
    expect(retryInfoDelayMs(encodeRpcStatus(14, 'busy', [debugInfoDetail('x')]))).toBeUndefined();
    expect(retryInfoDelayMs(encodeRpcStatus(14, 'busy', []))).toBeUndefined();
    expect(retryInfoDelayMs(Buffer.from([0x1a, 0x40, 0x01]))).toBeUndefined();
    expect(retryInfoDelayMs(Buffer.alloc(0))).toBeUndefined();
  });

  it('bounds a delay that is negative or absurdly long', () => {
    expect(retryInfoDelayMs(encodeRpcStatus(14, '', [retryInfoDetail(-5000)]))).toBe(0);
    expect(retryInfoDelayMs(encodeRpcStatus(14, '', [retryInfoDetail(1e12)]))).toBe(
      MAX_RETRY_INFO_DELAY_MS,
    );
  });
});

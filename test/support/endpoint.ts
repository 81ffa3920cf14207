/** A client connection and a wall clock for row builders' tests. */
export const testEndpoint = {
  upid: { high: 4242n, low: 77n },
  role: 1,
  localAddr: '10.0.0.2',
  localPort: 41000,
  remoteAddr: '10.0.0.9',
  remotePort: 5000,
};

/** Monotonic ns `n` is wall-clock 1.7e18 + n. */
export const testClock = { fromMonotonic: (ns: number) => 1_700_000_000_000_000_000n + BigInt(ns) };

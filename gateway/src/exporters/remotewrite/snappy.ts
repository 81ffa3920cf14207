type Snappy = typeof import('snappy');
let snappy: Snappy | undefined;

/**
 * Snappy's block format, as remote-write 1.0 requires (not the framed format). The native
 * module loads on first use, so that code importing the gateway without sending remote-write
 * does not load it: jsdom test environments (the Grafana plugin's) resolve snappy's browser
 * build, which is an ES module jest cannot load.
 */
export function snappyBlock(data: Uint8Array): Buffer {
  snappy ??= require('snappy') as Snappy;
  return snappy.compressSync(data);
}

import { Metric, MetricData, ResourceMetrics, ResourceSpans } from './telemetry';

/**
 * Splits groups of items into chunks of at most `maxItems` items, keeping order. A group that
 * does not fit in what is left of a chunk is cut by `slice` into consecutive pieces.
 */
export function chunkGroups<G>(
  groups: readonly G[],
  maxItems: number,
  size: (group: G) => number,
  slice: (group: G, from: number, to: number) => G,
): G[][] {
  const chunks: G[][] = [];
  let chunk: G[] = [];
  let room = maxItems;
  for (const group of groups) {
    const n = size(group);
    let from = 0;
    while (from < n) {
      const take = Math.min(room, n - from);
      chunk.push(take === n ? group : slice(group, from, from + take));
      from += take;
      room -= take;
      if (room === 0) {
        chunks.push(chunk);
        chunk = [];
        room = maxItems;
      }
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Splits resource spans into chunks of at most `maxItems` spans, keeping order. */
export function chunkSpans(groups: readonly ResourceSpans[], maxItems: number): ResourceSpans[][] {
  return chunkGroups(
    groups,
    maxItems,
    (g) => g.spans.length,
    (g, from, to) => ({ ...g, spans: g.spans.slice(from, to) }),
  );
}

/** Splits resource metrics into chunks of at most `maxItems` data points, keeping order. */
export function chunkMetrics(
  groups: readonly ResourceMetrics[],
  maxItems: number,
): ResourceMetrics[][] {
  const chunks: ResourceMetrics[][] = [];
  let chunk: ResourceMetrics[] = [];
  let metrics: Metric[] = [];
  let room = maxItems;
  const closeGroup = (group: ResourceMetrics) => {
    if (metrics.length > 0) chunk.push({ ...group, metrics });
    metrics = [];
  };
  for (const group of groups) {
    for (const metric of group.metrics) {
      const points = metric.data.points.length;
      let from = 0;
      while (from < points) {
        const take = Math.min(room, points - from);
        metrics.push(sliceMetric(metric, from, from + take));
        from += take;
        room -= take;
        if (room === 0) {
          closeGroup(group);
          chunks.push(chunk);
          chunk = [];
          room = maxItems;
        }
      }
    }
    closeGroup(group);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function sliceMetric(metric: Metric, from: number, to: number): Metric {
  const d = metric.data;
  if (from === 0 && to === d.points.length) return metric;
  // Every kind keeps its own fields; only the points are cut.
  return { ...metric, data: { ...d, points: d.points.slice(from, to) } as MetricData };
}

/** How a sink turns chunks into request bodies. */
export interface ChunkEncoding<G> {
  items(chunk: G[]): number;
  rechunk(chunk: G[], maxItems: number): G[][];
  /** The encoded bytes, which may be a view that the next call overwrites. */
  encode(chunk: G[]): Buffer;
  /** The body to keep (compressed, or copied), made at once from `encode`'s bytes. */
  finish(bytes: Buffer): Buffer;
}

/**
 * Encodes a chunk, halving it while its encoding passes `maxBytes` until it fits or holds a
 * single item (which is sent as it is: the receiver decides).
 */
export function encodeWithinBytes<G>(
  chunk: G[],
  how: ChunkEncoding<G>,
  maxBytes: number,
): { body: Buffer; items: number }[] {
  const bytes = how.encode(chunk);
  const n = how.items(chunk);
  if (bytes.length <= maxBytes || n <= 1) return [{ body: how.finish(bytes), items: n }];
  return how
    .rechunk(chunk, Math.ceil(n / 2))
    .flatMap((half) => encodeWithinBytes(half, how, maxBytes));
}

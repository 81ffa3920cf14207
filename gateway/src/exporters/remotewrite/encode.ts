import { PairCache } from '../common/pair-cache';
import { ProtoWriter } from '../common/proto-writer';
import { PromSeries } from './series';

// Field numbers of prometheus/prompb/remote.proto and types.proto (remote-write 1.0).
const WRITE_REQUEST_TIMESERIES = 1;
const TIMESERIES_LABELS = 1;
const TIMESERIES_SAMPLES = 2;
const LABEL_VALUE = 2;
const SAMPLE_VALUE = 1;
const SAMPLE_TIMESTAMP = 2;

/** Prometheus' stale marker: a NaN with exactly these bits (remote-write spec 1.0). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

/**
 * Labels repeat on every series of a metric (`job`, `le`, a status code): whole Label fields of
 * names with up to 1,024 values are kept encoded. Shared: the bytes depend only on the pair.
 */
const LABELS = new PairCache<string>(1024, 1024);

/** Writes a remote-write 1.0 WriteRequest (uncompressed) into `w` (after a reset). */
export function writeWriteRequest(w: ProtoWriter, series: readonly PromSeries[]): void {
  w.reset();
  for (let i = series.length - 1; i >= 0; i--) {
    const s = series[i]!;
    const mark = w.length;
    const samples = s.samples;
    for (let j = samples.length - 1; j >= 0; j--) {
      const sample = samples[j]!;
      const sampleMark = w.length;
      if (sample.timestampMs !== 0) {
        w.int64(sample.timestampMs);
        w.tag(SAMPLE_TIMESTAMP, 0);
      }
      if (sample.stale === true) w.fixed64(STALE_NAN_BITS);
      else w.double(sample.value);
      w.tag(SAMPLE_VALUE, 1);
      w.ldelim(TIMESERIES_SAMPLES, sampleMark);
    }
    writeLabels(w, s.labels);
    w.ldelim(WRITE_REQUEST_TIMESERIES, mark);
  }
}

/** Encodes a remote-write 1.0 WriteRequest (uncompressed), as bytes of its own. */
export function encodeWriteRequest(
  series: readonly PromSeries[],
  w: ProtoWriter = new ProtoWriter(),
): Buffer {
  writeWriteRequest(w, series);
  return w.finish();
}

/** Writes the repeated Label field of a TimeSeries, last label first. */
function writeLabels(w: ProtoWriter, labels: PromSeries['labels']): void {
  for (let j = labels.length - 1; j >= 0; j--) {
    const label = labels[j]!;
    const value = label[1];
    const name = LABELS.key(label[0], j);
    const cached = name.values?.get(value);
    if (cached !== undefined) {
      w.raw(cached);
      continue;
    }
    const mark = w.length;
    w.string(LABEL_VALUE, value);
    w.raw(name.keyField);
    w.ldelim(TIMESERIES_LABELS, mark);
    if (name.values !== null) LABELS.put(name, value, w.copyFront(w.length - mark));
  }
}

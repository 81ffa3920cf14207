import { PairCache } from '../common/pair-cache';
import { ProtoWriter } from '../common/proto-writer';
import { AttributeValue, Attributes, Resource, Scope } from '../model/telemetry';

// Field numbers of opentelemetry/proto/common/v1/common.proto and resource/v1/resource.proto.
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_NAME = 1;
const SCOPE_VERSION = 2;

/**
 * A ProtoWriter for OTLP messages. Attributes repeat heavily (`http.request.method=GET` on every
 * span), so whole KeyValue messages are kept encoded, for the keys of few distinct values.
 */
export class OtlpWriter extends ProtoWriter {
  private readonly keyValues = new PairCache<AttributeValue, Int32Array>();
  private readonly keys: string[] = [];
  /** What writeTraceRequest read ahead of the spans it wrote (see touchParts): kept, unused. */
  touched = 0;

  /** Writes `attributes` as repeated KeyValue in field `field` (backwards: last key first). */
  attributes(field: number, attributes: Attributes): void {
    // The keys in order, to write them backwards. An array is stored into only where a key
    // differs from the last item's: each store of a heap object costs a write barrier, which
    // cost more (callgrind: 800 instructions a span of six attributes) than the keyed reads of
    // the values below.
    const keys = this.keys;
    let n = 0;
    for (const key in attributes) {
      if (keys[n] !== key) keys[n] = key;
      n++;
    }
    for (let i = n - 1; i >= 0; i--) {
      const value = attributes[keys[i]!]!;
      const key = this.keyValues.key(keys[i]!, i);
      // Doubles and bigints are not cached: as Map keys they would not match reliably.
      const cacheable =
        key.values !== null &&
        (typeof value === 'string' || typeof value === 'boolean' || Number.isInteger(value));
      const cached = cacheable ? key.values!.get(value) : undefined;
      if (cached !== undefined) {
        this.prefixedWordsField(field, cached);
        continue;
      }
      const mark = this.length;
      const valueMark = this.length;
      writeAnyValue(this, value);
      this.ldelim(KEY_VALUE_VALUE, valueMark);
      this.rawWords(key.keyWords);
      this.uint32(this.length - mark);
      // Written backwards, the length-prefixed KeyValue is the front of what is written.
      if (cacheable) this.keyValues.put(key, value, this.copyFrontWords(this.length - mark));
      this.tag(field, 2);
    }
  }
}

/** The body of an AnyValue. Oneof members are written even when they hold a zero value. */
function writeAnyValue(w: ProtoWriter, value: AttributeValue): void {
  switch (typeof value) {
    case 'string':
      w.string(ANY_STRING, value);
      return;
    case 'boolean':
      w.uint32(value ? 1 : 0);
      w.tag(ANY_BOOL, 0);
      return;
    case 'bigint':
      w.int64(value);
      w.tag(ANY_INT, 0);
      return;
    case 'number':
      // As the OpenTelemetry SDKs do: integers in int64's range are ints, the rest doubles.
      if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
        w.int64(value);
        w.tag(ANY_INT, 0);
      } else {
        w.double(value);
        w.tag(ANY_DOUBLE, 1);
      }
      return;
  }
}

/** Writes a Resource message in field `field`. */
export function writeResource(w: OtlpWriter, field: number, resource: Resource): void {
  const mark = w.length;
  w.attributes(RESOURCE_ATTRIBUTES, resource.attributes);
  w.ldelim(field, mark);
}

/** Writes an InstrumentationScope message in field `field`. */
export function writeScope(w: ProtoWriter, field: number, scope: Scope): void {
  const mark = w.length;
  if (scope.version) w.cachedString(SCOPE_VERSION, scope.version);
  if (scope.name) w.cachedString(SCOPE_NAME, scope.name);
  w.ldelim(field, mark);
}

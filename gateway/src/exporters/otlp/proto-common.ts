import { ProtoWriter } from '../common/proto-writer';
import { AttributeValue, Attributes, Resource, Scope } from '../model/telemetry';

// Field numbers of opentelemetry/proto/common/v1/common.proto and resource/v1/resource.proto.
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_NAME = 1;
const SCOPE_VERSION = 2;

/** Values of one key kept encoded, until the key proves to have too many distinct values. */
const VALUES_PER_KEY = 64;
const MAX_KEYS = 1024;

/**
 * A ProtoWriter for OTLP messages. Attributes repeat heavily (`http.request.method=GET` on every
 * span), so whole KeyValue messages of low-cardinality keys are kept encoded; a key that shows
 * more than 64 distinct values (a path, an address) is written field by field from then on.
 */
export class OtlpWriter extends ProtoWriter {
  private readonly keyValues = new Map<string, Map<AttributeValue, Uint8Array> | null>();
  private readonly scratch = new ProtoWriter(1024);

  /** Writes `attributes` as repeated KeyValue in field `field` (backwards: last key first). */
  attributes(field: number, attributes: Attributes): void {
    const keys = Object.keys(attributes);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const value = attributes[key]!;
      const encoded = this.cachedKeyValue(key, value);
      if (encoded !== undefined) {
        this.raw(encoded);
        this.tag(field, 2);
      } else {
        const mark = this.length;
        writeKeyValueBody(this, key, value);
        this.ldelim(field, mark);
      }
    }
  }

  /** The length-prefixed KeyValue for a cacheable pair, or undefined when it is not cached. */
  private cachedKeyValue(key: string, value: AttributeValue): Uint8Array | undefined {
    if (typeof value === 'bigint' || (typeof value === 'number' && !Number.isInteger(value))) {
      return undefined;
    }
    let values = this.keyValues.get(key);
    if (values === null) return undefined;
    if (values === undefined) {
      if (this.keyValues.size >= MAX_KEYS) this.keyValues.clear();
      values = new Map();
      this.keyValues.set(key, values);
    }
    let encoded = values.get(value);
    if (encoded === undefined) {
      if (values.size >= VALUES_PER_KEY) {
        this.keyValues.set(key, null);
        return undefined;
      }
      const w = this.scratch;
      w.reset();
      writeKeyValueBody(w, key, value);
      w.uint32(w.length);
      encoded = new Uint8Array(w.finish());
      values.set(value, encoded);
    }
    return encoded;
  }
}

function writeKeyValueBody(w: ProtoWriter, key: string, value: AttributeValue): void {
  const valueMark = w.length;
  writeAnyValue(w, value);
  w.ldelim(KEY_VALUE_VALUE, valueMark);
  w.cachedString(KEY_VALUE_KEY, key);
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

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fuzzParams } from '../../test/support/fuzz';
import { ConfigError, ENV_OVERRIDES, loadConfig } from './load';
import { ConfigSchema } from './schema';

/** Every leaf path of the configuration, from its defaults (`store.limitMb`, ...). */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  const entries = Object.entries(value);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}
const PATHS = leafPaths(ConfigSchema.parse({}));

/** Values of the kinds a config holds, right and wrong: durations, sizes, hosts, odd text. */
const leafValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('5m', '0s', '-1s', '1e9h', '127.0.0.1:8090', 'http://x:1', '', 'NaN', 'yes'),
  fc.double(),
  fc.integer(),
);

/** A config tree: known paths (and a few unknown or prototype ones) with such values. */
const tree = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...PATHS),
        fc.array(fc.constantFrom('store', 'tables', 'x', '__proto__', 'constructor', 'export')),
      ),
      leafValue,
    ),
    { maxLength: 8 },
  )
  .map((entries) => {
    const root: Record<string, unknown> = {};
    for (const [path, value] of entries) {
      let node = root;
      path.slice(0, -1).forEach((key) => {
        const next = Object.getOwnPropertyDescriptor(node, key)?.value as unknown;
        const child = typeof next === 'object' && next !== null ? next : {};
        Object.defineProperty(node, key, { value: child, enumerable: true, writable: true });
        node = child as Record<string, unknown>;
      });
      const last = path[path.length - 1];
      if (last !== undefined) {
        Object.defineProperty(node, last, { value, enumerable: true, writable: true });
      }
    }
    return root;
  });

/** A config file's text: a generated tree as YAML, arbitrary text, or both. */
const fileText = fc.oneof(
  tree.map((t) => stringify(t)),
  fc.string({ maxLength: 200 }),
  fc.tuple(tree, fc.string({ maxLength: 40 })).map(([t, s]) => stringify(t) + s),
  fc.constantFrom('a: &a [*a]', 'x: !!binary "=="', '---\n---\n', '[1, 2]', 'a: b: c'),
);

const env = fc.dictionary(
  fc.constantFrom(...ENV_OVERRIDES.map((o) => o.env)),
  fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1e400', '-5', '0x10', '127.0.0.1:1')),
);

/** `  store.tables["a key"].limitMb: message`: every issue names its key path. */
const ISSUE_LINE = /^ {2}(\(root\)|([\w-]+|\[".*"\])(\.[\w-]+|\[".*"\])*): \S/;

describe('loadConfig (property)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-config-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads any file and environment or throws its own error naming the file and each key', () => {
    const file = join(dir, 'pxgate.yaml');
    fc.assert(
      fc.property(fileText, env, (text, vars) => {
        writeFileSync(file, text);
        try {
          loadConfig({ file, env: vars });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          const message = (err as ConfigError).message;
          expect(message).toContain(file);
          if (message.startsWith('invalid configuration')) {
            for (const line of message.split('\n').slice(1)) expect(line).toMatch(ISSUE_LINE);
          }
        }
      }),
      fuzzParams(300, {
        seed: 31,
        // A key of one space printed its path as "store.tables. : ..." (seed -701457302).
        examples: [['store:\n  tables:\n    " ": null\n', {}]],
      }),
    );
  });
});

import { ArgSpec, RedisCommand, commandOf } from './redis-commands';
import { RespMessage, aggregateText } from './resp-parser';

/** What a masked value, or a credential, is replaced with. */
export const MASKED = '?';

/**
 * Arguments that name things rather than hold data, kept when values are masked: keys,
 * channels, patterns, hash fields, configuration parameters and the like.
 */
const NAMES = new Set([
  'key',
  'newkey',
  'destkey',
  'sourcekey',
  'source',
  'destination',
  'dst',
  'src',
  'channel',
  'pattern',
  'field',
  'parameter',
  'subcommand',
  'section',
  'sha1',
  'numkeys',
]);

/** Configuration parameters whose values are secrets. */
const SECRET_PARAMETERS = new Set([
  'requirepass',
  'masterauth',
  'tls-key-file-pass',
  'tls-client-key-file-pass',
]);

/** A reply as redis_events.resp writes it (Pixie's text; aggregates as JSON). */
export function replyText(m: RespMessage): string {
  return m.values ? aggregateText(m.type, m.values) : m.text;
}

/**
 * A command as redis_events' req_cmd and req_args write it, as Pixie does: the command's name
 * (two words for `CONFIG GET` and the like; '' for a command Pixie does not know, whose words
 * then all go to req_args), and its arguments as a JSON object named by the command's syntax
 * (`{"key":"k","value":"v"}`), or as a JSON array when the syntax does not name them or they do
 * not fit it. Passwords (AUTH, HELLO, MIGRATE, ACL SETUSER, CONFIG SET of a secret) are always
 * masked; with `mask`, every value but the names of things (keys, fields, channels, ...) is.
 */
export function commandColumns(m: RespMessage, mask: boolean): { cmd: string; args: string } {
  if (!m.values) return { cmd: '', args: mask ? MASKED : m.text };
  const found = commandOf(m.values);
  if (!found) {
    return {
      cmd: '',
      args: JSON.stringify(mask ? m.values.map((v, i) => (i === 0 ? v : MASKED)) : m.values),
    };
  }
  const args = withoutCredentials(found.command.name, m.values.slice(found.words));
  return { cmd: found.command.name, args: formatArgs(found.command, args, mask) };
}

function formatArgs(cmd: RedisCommand, args: readonly string[], mask: boolean): string {
  const special = SPECIAL_FORMATS[cmd.name]?.(args, mask);
  if (special !== undefined) return special;
  const named = cmd.args && namedArgs(cmd.args, args, mask);
  return named ?? JSON.stringify(mask ? args.map(() => MASKED) : args);
}

const value = (name: string, v: string, mask: boolean) => (mask && !NAMES.has(name) ? MASKED : v);
const pair = (k: string, v: unknown) => `${JSON.stringify(k)}:${JSON.stringify(v)}`;

/**
 * Arguments named by the command's syntax, or undefined when they do not fit it (a required
 * one missing, a repeated group cut short). As Pixie writes them, a group of several fields
 * becomes one object per value: `"field value":[{"field":"f"},{"value":"v"}]`.
 */
function namedArgs(
  specs: readonly ArgSpec[],
  args: readonly string[],
  mask: boolean,
): string | undefined {
  const pairs: string[] = [];
  let at = 0;
  for (const spec of specs) {
    const left = args.length - at;
    if (spec.kind === 'optional') {
      if (left > 0) pairs.push(pair(spec.name, value(spec.name, args[at++]!, mask)));
    } else if (spec.kind === 'fixed') {
      if (left === 0) return undefined;
      pairs.push(pair(spec.name, value(spec.name, args[at++]!, mask)));
    } else {
      const n = spec.fields.length;
      if (left === 0 || left % n !== 0) return undefined;
      const rest = args.slice(at);
      at = args.length;
      pairs.push(
        n === 1
          ? pair(
              spec.name,
              rest.map((v) => value(spec.fields[0]!, v, mask)),
            )
          : pair(
              spec.name,
              rest.map((v, i) => ({ [spec.fields[i % n]!]: value(spec.fields[i % n]!, v, mask) })),
            ),
      );
    }
  }
  return `{${pairs.join(',')}}`;
}

/** Pixie's own formats for three commands whose syntax does not name their arguments. */
const SPECIAL_FORMATS: Readonly<
  Record<string, (args: readonly string[], mask: boolean) => string | undefined>
> = {
  // EVALSHA sha1 numkeys key... arg...: the values after sha1 and numkeys split in halves.
  EVALSHA: (args, mask) => {
    if (args.length < 4 || args.length % 2 !== 0) return undefined;
    const rest = args.slice(2);
    const keys = rest.slice(0, rest.length / 2);
    const values = rest.slice(rest.length / 2).map((v) => value('value', v, mask));
    return `{${[pair('sha1', args[0]), pair('numkeys', args[1]), pair('key', keys), pair('value', values)].join(',')}}`;
  },
  // SET key value [EX seconds|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL] [NX|XX] [GET]: options as words.
  SET: (args, mask) => {
    if (args.length < 2) return undefined;
    const options: string[] = [];
    for (let i = 2; i < args.length; i++) {
      const word = args[i]!;
      if (['EX', 'PX', 'EXAT', 'PXAT'].includes(word.toUpperCase())) {
        if (i + 1 >= args.length) return undefined;
        options.push(`${word} ${args[++i]}`);
      } else options.push(word);
    }
    return `{${[pair('key', args[0]), pair('value', value('value', args[1]!, mask)), pair('options', options)].join(',')}}`;
  },
  // SSCAN key cursor [MATCH pattern] [COUNT count].
  SSCAN: (args, mask) => {
    if (args.length < 2) return undefined;
    const pairs = [pair('key', args[0]), pair('cursor', value('cursor', args[1]!, mask))];
    for (let i = 2; i < args.length; i += 2) {
      const option = args[i]!.toUpperCase();
      if (i + 1 >= args.length || (option !== 'MATCH' && option !== 'COUNT')) return undefined;
      const name = option === 'MATCH' ? 'pattern' : 'count';
      pairs.push(pair(name, value(name, args[i + 1]!, mask)));
    }
    return `{${pairs.join(',')}}`;
  },
};

/** The arguments with the secrets in them masked, whatever the masking option says. */
function withoutCredentials(name: string, args: readonly string[]): readonly string[] {
  switch (name) {
    case 'AUTH':
      return args.map((a, i) => (i === args.length - 1 ? MASKED : a));
    case 'HELLO':
      return maskAfter(args, 'AUTH', 2);
    case 'MIGRATE':
      return maskAfter(maskAfter(args, 'AUTH', 1), 'AUTH2', 2);
    case 'ACL SETUSER':
      // Rules that set or remove a password or its hash: >pass, <pass, #hash, !hash.
      return args.map((rule, i) =>
        i > 0 && '><#!'.includes(rule[0] ?? ' ') ? `${rule[0]}${MASKED}` : rule,
      );
    case 'CONFIG SET':
      return args.map((a, i) =>
        i % 2 === 1 && SECRET_PARAMETERS.has(args[i - 1]!.toLowerCase()) ? MASKED : a,
      );
    default:
      return args;
  }
}

/** The arguments with the one `skip` places after the option `word` masked. */
function maskAfter(args: readonly string[], word: string, skip: number): readonly string[] {
  const at = args.findIndex((a) => a.toUpperCase() === word);
  return at < 0 ? args : args.map((a, i) => (i === at + skip ? MASKED : a));
}

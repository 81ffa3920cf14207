/**
 * The Redis commands redis_events names, with the syntax of their arguments as Redis's command
 * reference (redis.io/commands, Redis 6.2) writes it: the table Pixie's req_cmd and req_args are
 * made from, so that ours read the same. Two-word commands (`CONFIG GET`) are one entry.
 */
const SYNTAX: Readonly<Record<string, readonly string[]>> = {
  'ACL LOAD': [],
  'ACL SAVE': [],
  'ACL LIST': [],
  'ACL USERS': [],
  'ACL GETUSER': ['username'],
  'ACL SETUSER': ['username', '[rule [rule ...]]'],
  'ACL DELUSER': ['username [username ...]'],
  'ACL CAT': ['[categoryname]'],
  'ACL GENPASS': ['[bits]'],
  'ACL WHOAMI': [],
  'ACL LOG': ['[count or RESET]'],
  'ACL HELP': [],
  APPEND: ['key', 'value'],
  AUTH: ['[username]', 'password'],
  BGREWRITEAOF: [],
  BGSAVE: ['[SCHEDULE]'],
  BITCOUNT: ['key', '[start end]'],
  BITFIELD: [
    'key',
    '[GET type offset]',
    '[SET type offset value]',
    '[INCRBY type offset increment]',
    '[OVERFLOW WRAP|SAT|FAIL]',
  ],
  BITOP: ['operation', 'destkey', 'key [key ...]'],
  BITPOS: ['key', 'bit', '[start]', '[end]'],
  BLPOP: ['key [key ...]', 'timeout'],
  BRPOP: ['key [key ...]', 'timeout'],
  BRPOPLPUSH: ['source', 'destination', 'timeout'],
  BLMOVE: ['source', 'destination', 'LEFT|RIGHT', 'LEFT|RIGHT', 'timeout'],
  BZPOPMIN: ['key [key ...]', 'timeout'],
  BZPOPMAX: ['key [key ...]', 'timeout'],
  'CLIENT CACHING': ['YES|NO'],
  'CLIENT ID': [],
  'CLIENT INFO': [],
  'CLIENT KILL': [
    '[ip:port]',
    '[ID client-id]',
    '[TYPE normal|master|slave|pubsub]',
    '[USER username]',
    '[ADDR ip:port]',
    '[SKIPME yes/no]',
  ],
  'CLIENT LIST': ['[TYPE normal|master|replica|pubsub]', '[ID client-id [client-id ...]]'],
  'CLIENT GETNAME': [],
  'CLIENT GETREDIR': [],
  'CLIENT UNPAUSE': [],
  'CLIENT PAUSE': ['timeout', '[WRITE|ALL]'],
  'CLIENT REPLY': ['ON|OFF|SKIP'],
  'CLIENT SETNAME': ['connection-name'],
  'CLIENT TRACKING': [
    'ON|OFF',
    '[REDIRECT client-id]',
    '[PREFIX prefix [PREFIX prefix ...]]',
    '[BCAST]',
    '[OPTIN]',
    '[OPTOUT]',
    '[NOLOOP]',
  ],
  'CLIENT TRACKINGINFO': [],
  'CLIENT UNBLOCK': ['client-id', '[TIMEOUT|ERROR]'],
  'CLUSTER ADDSLOTS': ['slot [slot ...]'],
  'CLUSTER BUMPEPOCH': [],
  'CLUSTER COUNT-FAILURE-REPORTS': ['node-id'],
  'CLUSTER COUNTKEYSINSLOT': ['slot'],
  'CLUSTER DELSLOTS': ['slot [slot ...]'],
  'CLUSTER FAILOVER': ['[FORCE|TAKEOVER]'],
  'CLUSTER FLUSHSLOTS': [],
  'CLUSTER FORGET': ['node-id'],
  'CLUSTER GETKEYSINSLOT': ['slot', 'count'],
  'CLUSTER INFO': [],
  'CLUSTER KEYSLOT': ['key'],
  'CLUSTER MEET': ['ip', 'port'],
  'CLUSTER MYID': [],
  'CLUSTER NODES': [],
  'CLUSTER REPLICATE': ['node-id'],
  'CLUSTER RESET': ['[HARD|SOFT]'],
  'CLUSTER SAVECONFIG': [],
  'CLUSTER SET-CONFIG-EPOCH': ['config-epoch'],
  'CLUSTER SETSLOT': ['slot', 'IMPORTING|MIGRATING|STABLE|NODE', '[node-id]'],
  'CLUSTER SLAVES': ['node-id'],
  'CLUSTER REPLICAS': ['node-id'],
  'CLUSTER SLOTS': [],
  COMMAND: [],
  'COMMAND COUNT': [],
  'COMMAND GETKEYS': [],
  'COMMAND INFO': ['command-name [command-name ...]'],
  'CONFIG GET': ['parameter'],
  'CONFIG REWRITE': [],
  'CONFIG SET': ['parameter', 'value'],
  'CONFIG RESETSTAT': [],
  COPY: ['source', 'destination', '[DB destination-db]', '[REPLACE]'],
  DBSIZE: [],
  'DEBUG OBJECT': ['key'],
  'DEBUG SEGFAULT': [],
  DECR: ['key'],
  DECRBY: ['key', 'decrement'],
  DEL: ['key [key ...]'],
  DISCARD: [],
  DUMP: ['key'],
  ECHO: ['message'],
  EVAL: ['script', 'numkeys', 'key [key ...]', 'arg [arg ...]'],
  EVALSHA: ['sha1', 'numkeys', 'key [key ...]', 'arg [arg ...]'],
  EXEC: [],
  EXISTS: ['key [key ...]'],
  EXPIRE: ['key', 'seconds'],
  EXPIREAT: ['key', 'timestamp'],
  FAILOVER: ['[TO host port [FORCE]]', '[ABORT]', '[TIMEOUT milliseconds]'],
  FLUSHALL: ['[ASYNC|SYNC]'],
  FLUSHDB: ['[ASYNC|SYNC]'],
  GEOADD: ['key', '[NX|XX]', '[CH]', 'longitude latitude member [longitude latitude member ...]'],
  GEOHASH: ['key', 'member [member ...]'],
  GEOPOS: ['key', 'member [member ...]'],
  GEODIST: ['key', 'member1', 'member2', '[m|km|ft|mi]'],
  GEORADIUS: [
    'key',
    'longitude',
    'latitude',
    'radius',
    'm|km|ft|mi',
    '[WITHCOORD]',
    '[WITHDIST]',
    '[WITHHASH]',
    '[COUNT count [ANY]]',
    '[ASC|DESC]',
    '[STORE key]',
    '[STOREDIST key]',
  ],
  GEORADIUSBYMEMBER: [
    'key',
    'member',
    'radius',
    'm|km|ft|mi',
    '[WITHCOORD]',
    '[WITHDIST]',
    '[WITHHASH]',
    '[COUNT count [ANY]]',
    '[ASC|DESC]',
    '[STORE key]',
    '[STOREDIST key]',
  ],
  GEOSEARCH: [
    'key',
    '[FROMMEMBER member]',
    '[FROMLONLAT longitude latitude]',
    '[BYRADIUS radius m|km|ft|mi]',
    '[BYBOX width height m|km|ft|mi]',
    '[ASC|DESC]',
    '[COUNT count [ANY]]',
    '[WITHCOORD]',
    '[WITHDIST]',
    '[WITHHASH]',
  ],
  GEOSEARCHSTORE: [
    'destination',
    'source',
    '[FROMMEMBER member]',
    '[FROMLONLAT longitude latitude]',
    '[BYRADIUS radius m|km|ft|mi]',
    '[BYBOX width height m|km|ft|mi]',
    '[ASC|DESC]',
    '[COUNT count [ANY]]',
    '[WITHCOORD]',
    '[WITHDIST]',
    '[WITHHASH]',
    '[STOREDIST]',
  ],
  GET: ['key'],
  GETBIT: ['key', 'offset'],
  GETDEL: ['key'],
  GETEX: ['key', '[EX seconds|PX milliseconds|EXAT timestamp|PXAT milliseconds-timestamp|PERSIST]'],
  GETRANGE: ['key', 'start', 'end'],
  GETSET: ['key', 'value'],
  HDEL: ['key', 'field [field ...]'],
  HELLO: ['[protover [AUTH username password] [SETNAME clientname]]'],
  HEXISTS: ['key', 'field'],
  HGET: ['key', 'field'],
  HGETALL: ['key'],
  HINCRBY: ['key', 'field', 'increment'],
  HINCRBYFLOAT: ['key', 'field', 'increment'],
  HKEYS: ['key'],
  HLEN: ['key'],
  HMGET: ['key', 'field [field ...]'],
  HMSET: ['key', 'field value [field value ...]'],
  HSET: ['key', 'field value [field value ...]'],
  HSETNX: ['key', 'field', 'value'],
  HRANDFIELD: ['key', '[count [WITHVALUES]]'],
  HSTRLEN: ['key', 'field'],
  HVALS: ['key'],
  INCR: ['key'],
  INCRBY: ['key', 'increment'],
  INCRBYFLOAT: ['key', 'increment'],
  INFO: ['[section]'],
  LOLWUT: ['[VERSION version]'],
  KEYS: ['pattern'],
  LASTSAVE: [],
  LINDEX: ['key', 'index'],
  LINSERT: ['key', 'BEFORE|AFTER', 'pivot', 'element'],
  LLEN: ['key'],
  LPOP: ['key', '[count]'],
  LPOS: ['key', 'element', '[RANK rank]', '[COUNT num-matches]', '[MAXLEN len]'],
  LPUSH: ['key', 'element [element ...]'],
  LPUSHX: ['key', 'element [element ...]'],
  LRANGE: ['key', 'start', 'stop'],
  LREM: ['key', 'count', 'element'],
  LSET: ['key', 'index', 'element'],
  LTRIM: ['key', 'start', 'stop'],
  'MEMORY DOCTOR': [],
  'MEMORY HELP': [],
  'MEMORY MALLOC-STATS': [],
  'MEMORY PURGE': [],
  'MEMORY STATS': [],
  'MEMORY USAGE': ['key', '[SAMPLES count]'],
  MGET: ['key [key ...]'],
  MIGRATE: [
    'host',
    'port',
    'key|""',
    'destination-db',
    'timeout',
    '[COPY]',
    '[REPLACE]',
    '[AUTH password]',
    '[AUTH2 username password]',
    '[KEYS key [key ...]]',
  ],
  'MODULE LIST': [],
  'MODULE LOAD': ['path', '[ arg [arg ...]]'],
  'MODULE UNLOAD': ['name'],
  MONITOR: [],
  MOVE: ['key', 'db'],
  MSET: ['key value [key value ...]'],
  MSETNX: ['key value [key value ...]'],
  MULTI: [],
  OBJECT: ['subcommand', '[arguments [arguments ...]]'],
  PERSIST: ['key'],
  PEXPIRE: ['key', 'milliseconds'],
  PEXPIREAT: ['key', 'milliseconds-timestamp'],
  PFADD: ['key', 'element [element ...]'],
  PFCOUNT: ['key [key ...]'],
  PFMERGE: ['destkey', 'sourcekey [sourcekey ...]'],
  PING: ['[message]'],
  PSETEX: ['key', 'milliseconds', 'value'],
  PSUBSCRIBE: ['pattern [pattern ...]'],
  PUBSUB: ['subcommand', '[argument [argument ...]]'],
  PTTL: ['key'],
  PUBLISH: ['channel', 'message'],
  PUNSUBSCRIBE: ['[pattern [pattern ...]]'],
  QUIT: [],
  RANDOMKEY: [],
  READONLY: [],
  READWRITE: [],
  RENAME: ['key', 'newkey'],
  RENAMENX: ['key', 'newkey'],
  RESET: [],
  RESTORE: [
    'key',
    'ttl',
    'serialized-value',
    '[REPLACE]',
    '[ABSTTL]',
    '[IDLETIME seconds]',
    '[FREQ frequency]',
  ],
  ROLE: [],
  RPOP: ['key', '[count]'],
  RPOPLPUSH: ['source', 'destination'],
  LMOVE: ['source', 'destination', 'LEFT|RIGHT', 'LEFT|RIGHT'],
  RPUSH: ['key', 'element [element ...]'],
  RPUSHX: ['key', 'element [element ...]'],
  SADD: ['key', 'member [member ...]'],
  SAVE: [],
  SCARD: ['key'],
  'SCRIPT DEBUG': ['YES|SYNC|NO'],
  'SCRIPT EXISTS': ['sha1 [sha1 ...]'],
  'SCRIPT FLUSH': ['[ASYNC|SYNC]'],
  'SCRIPT KILL': [],
  'SCRIPT LOAD': ['script'],
  SDIFF: ['key [key ...]'],
  SDIFFSTORE: ['destination', 'key [key ...]'],
  SELECT: ['index'],
  SET: [
    'key',
    'value',
    '[EX seconds|PX milliseconds|EXAT timestamp|PXAT milliseconds-timestamp|KEEPTTL]',
    '[NX|XX]',
    '[GET]',
  ],
  SETBIT: ['key', 'offset', 'value'],
  SETEX: ['key', 'seconds', 'value'],
  SETNX: ['key', 'value'],
  SETRANGE: ['key', 'offset', 'value'],
  SHUTDOWN: ['[NOSAVE|SAVE]'],
  SINTER: ['key [key ...]'],
  SINTERSTORE: ['destination', 'key [key ...]'],
  SISMEMBER: ['key', 'member'],
  SMISMEMBER: ['key', 'member [member ...]'],
  SLAVEOF: ['host', 'port'],
  REPLICAOF: ['host', 'port'],
  SLOWLOG: ['subcommand', '[argument]'],
  SMEMBERS: ['key'],
  SMOVE: ['source', 'destination', 'member'],
  SORT: [
    'key',
    '[BY pattern]',
    '[LIMIT offset count]',
    '[GET pattern [GET pattern ...]]',
    '[ASC|DESC]',
    '[ALPHA]',
    '[STORE destination]',
  ],
  SPOP: ['key', '[count]'],
  SRANDMEMBER: ['key', '[count]'],
  SREM: ['key', 'member [member ...]'],
  STRALGO: ['LCS', 'algo-specific-argument [algo-specific-argument ...]'],
  STRLEN: ['key'],
  SUBSCRIBE: ['channel [channel ...]'],
  SUNION: ['key [key ...]'],
  SUNIONSTORE: ['destination', 'key [key ...]'],
  SWAPDB: ['index1', 'index2'],
  SYNC: [],
  PSYNC: ['replicationid', 'offset'],
  TIME: [],
  TOUCH: ['key [key ...]'],
  TTL: ['key'],
  TYPE: ['key'],
  UNSUBSCRIBE: ['[channel [channel ...]]'],
  UNLINK: ['key [key ...]'],
  UNWATCH: [],
  WAIT: ['numreplicas', 'timeout'],
  WATCH: ['key [key ...]'],
  ZADD: ['key', '[NX|XX]', '[GT|LT]', '[CH]', '[INCR]', 'score member [score member ...]'],
  ZCARD: ['key'],
  ZCOUNT: ['key', 'min', 'max'],
  ZDIFF: ['numkeys', 'key [key ...]', '[WITHSCORES]'],
  ZDIFFSTORE: ['destination', 'numkeys', 'key [key ...]'],
  ZINCRBY: ['key', 'increment', 'member'],
  ZINTER: [
    'numkeys',
    'key [key ...]',
    '[WEIGHTS weight [weight ...]]',
    '[AGGREGATE SUM|MIN|MAX]',
    '[WITHSCORES]',
  ],
  ZINTERSTORE: [
    'destination',
    'numkeys',
    'key [key ...]',
    '[WEIGHTS weight [weight ...]]',
    '[AGGREGATE SUM|MIN|MAX]',
  ],
  ZLEXCOUNT: ['key', 'min', 'max'],
  ZPOPMAX: ['key', '[count]'],
  ZPOPMIN: ['key', '[count]'],
  ZRANDMEMBER: ['key', '[count [WITHSCORES]]'],
  ZRANGESTORE: ['dst', 'src', 'min', 'max', '[BYSCORE|BYLEX]', '[REV]', '[LIMIT offset count]'],
  ZRANGE: ['key', 'min', 'max', '[BYSCORE|BYLEX]', '[REV]', '[LIMIT offset count]', '[WITHSCORES]'],
  ZRANGEBYLEX: ['key', 'min', 'max', '[LIMIT offset count]'],
  ZREVRANGEBYLEX: ['key', 'max', 'min', '[LIMIT offset count]'],
  ZRANGEBYSCORE: ['key', 'min', 'max', '[WITHSCORES]', '[LIMIT offset count]'],
  ZRANK: ['key', 'member'],
  ZREM: ['key', 'member [member ...]'],
  ZREMRANGEBYLEX: ['key', 'min', 'max'],
  ZREMRANGEBYRANK: ['key', 'start', 'stop'],
  ZREMRANGEBYSCORE: ['key', 'min', 'max'],
  ZREVRANGE: ['key', 'start', 'stop', '[WITHSCORES]'],
  ZREVRANGEBYSCORE: ['key', 'max', 'min', '[WITHSCORES]', '[LIMIT offset count]'],
  ZREVRANK: ['key', 'member'],
  ZSCORE: ['key', 'member'],
  ZUNION: [
    'numkeys',
    'key [key ...]',
    '[WEIGHTS weight [weight ...]]',
    '[AGGREGATE SUM|MIN|MAX]',
    '[WITHSCORES]',
  ],
  ZMSCORE: ['key', 'member [member ...]'],
  ZUNIONSTORE: [
    'destination',
    'numkeys',
    'key [key ...]',
    '[WEIGHTS weight [weight ...]]',
    '[AGGREGATE SUM|MIN|MAX]',
  ],
  SCAN: ['cursor', '[MATCH pattern]', '[COUNT count]', '[TYPE type]'],
  SSCAN: ['key', 'cursor', '[MATCH pattern]', '[COUNT count]'],
  HSCAN: ['key', 'cursor', '[MATCH pattern]', '[COUNT count]'],
  ZSCAN: ['key', 'cursor', '[MATCH pattern]', '[COUNT count]'],
  XINFO: ['[CONSUMERS key groupname]', '[GROUPS key]', '[STREAM key]', '[HELP]'],
  XADD: [
    'key',
    '[NOMKSTREAM]',
    '[MAXLEN|MINID [=|~] threshold [LIMIT count]]',
    '*|ID',
    'field value [field value ...]',
  ],
  XTRIM: ['key', 'MAXLEN|MINID [=|~] threshold [LIMIT count]'],
  XDEL: ['key', 'ID [ID ...]'],
  XRANGE: ['key', 'start', 'end', '[COUNT count]'],
  XREVRANGE: ['key', 'end', 'start', '[COUNT count]'],
  XLEN: ['key'],
  XREAD: ['[COUNT count]', '[BLOCK milliseconds]', 'STREAMS', 'key [key ...]', 'ID [ID ...]'],
  XGROUP: [
    '[CREATE key groupname ID|$ [MKSTREAM]]',
    '[SETID key groupname ID|$]',
    '[DESTROY key groupname]',
    '[CREATECONSUMER key groupname consumername]',
    '[DELCONSUMER key groupname consumername]',
  ],
  XREADGROUP: [
    'GROUP group consumer',
    '[COUNT count]',
    '[BLOCK milliseconds]',
    '[NOACK]',
    'STREAMS',
    'key [key ...]',
    'ID [ID ...]',
  ],
  XACK: ['key', 'group', 'ID [ID ...]'],
  XCLAIM: [
    'key',
    'group',
    'consumer',
    'min-idle-time',
    'ID [ID ...]',
    '[IDLE ms]',
    '[TIME ms-unix-time]',
    '[RETRYCOUNT count]',
    '[FORCE]',
    '[JUSTID]',
  ],
  XAUTOCLAIM: ['key', 'group', 'consumer', 'min-idle-time', 'start', '[COUNT count]', '[JUSTID]'],
  XPENDING: ['key', 'group', '[[IDLE min-idle-time] start end count [consumer]]'],
  'LATENCY DOCTOR': [],
  'LATENCY GRAPH': ['event'],
  'LATENCY HISTORY': ['event'],
  'LATENCY LATEST': [],
  'LATENCY RESET': ['[event [event ...]]'],
  'LATENCY HELP': [],
  // Not in the reference: Sentinel's command, and a replica's acknowledgement to its primary.
  SENTINEL: [],
  'REPLCONF ACK': ['offset'],
};

/** How one argument of a command's syntax takes its values. */
export type ArgSpec =
  | { readonly kind: 'fixed'; readonly name: string }
  | { readonly kind: 'optional'; readonly name: string }
  /** The rest of the values; with several fields, they repeat in turn (`field value ...`). */
  | { readonly kind: 'list'; readonly name: string; readonly fields: readonly string[] };

export interface RedisCommand {
  /** The command's name as redis_events writes it (upper case; two words for subcommands). */
  readonly name: string;
  /**
   * How its arguments are named, or undefined when its syntax has none or is too rich for
   * names (options in capitals, alternatives, nesting): then its arguments are a JSON array.
   */
  readonly args: readonly ArgSpec[] | undefined;
}

const LOWER_ALNUM = /^[a-z0-9]*$/;
const LIST_SUFFIX = ' ...]';

/**
 * Reads one argument's syntax the way Pixie does: `name` (lower-case letters and digits) is one
 * value; `[name]` an optional one; `a b [a b ...]` takes the rest in turns. Anything else is
 * not named.
 */
function argSpec(syntax: string): ArgSpec | undefined {
  if (LOWER_ALNUM.test(syntax)) return { kind: 'fixed', name: syntax };
  const open = syntax.indexOf(' [');
  if (syntax.endsWith(LIST_SUFFIX) && open >= 0) {
    const name = syntax.slice(0, open);
    const fields = name.split(' ').filter((f) => f !== '');
    if (fields.every((f) => LOWER_ALNUM.test(f))) return { kind: 'list', name, fields };
  }
  if (syntax.startsWith('[') && syntax.endsWith(']') && LOWER_ALNUM.test(syntax.slice(1, -1))) {
    return { kind: 'optional', name: syntax.slice(1, -1) };
  }
  return undefined;
}

function command(name: string, syntax: readonly string[]): RedisCommand {
  const specs = syntax.map(argSpec);
  const named = syntax.length > 0 && specs.every((s) => s !== undefined);
  return { name, args: named ? (specs as ArgSpec[]) : undefined };
}

const COMMANDS: ReadonlyMap<string, RedisCommand> = new Map(
  Object.entries(SYNTAX).map(([name, syntax]) => [name, command(name, syntax)]),
);

/**
 * The names protocol inference takes for a command's first word: every command Pixie's list
 * has, and the first word of its two-word ones (`CONFIG` of `CONFIG GET`), which clients send
 * first on a connection (`CLIENT SETNAME`, `CLIENT SETINFO`).
 */
const KNOWN_WORDS: ReadonlySet<string> = new Set(
  [...COMMANDS.keys()].flatMap((name) => [name, name.split(' ')[0]!]),
);

/** Whether a word is a command redis_events knows (any case), for protocol inference. */
export function isKnownCommand(word: string): boolean {
  return KNOWN_WORDS.has(word.toUpperCase());
}

/** The names isKnownCommand takes, upper case (what the kernel's inference is given). */
export function knownCommandNames(): readonly string[] {
  return [...KNOWN_WORDS];
}

/**
 * The command a request's values name, and how many values name it: two when the first two
 * words are a two-word command (`CONFIG GET`), else one when the first is a command, else none.
 */
export function commandOf(
  values: readonly string[],
): { command: RedisCommand; words: number } | undefined {
  if (values.length >= 2) {
    const two = COMMANDS.get(`${values[0]} ${values[1]}`.toUpperCase());
    if (two) return { command: two, words: 2 };
  }
  const one = values.length >= 1 ? COMMANDS.get(values[0]!.toUpperCase()) : undefined;
  return one ? { command: one, words: 1 } : undefined;
}

/**
 * Where a cluster's data travels on NATS JetStream: one stream per cluster, ingest subjects per
 * node (the partition) and table, a metadata subject per node, and one KV bucket. Agents publish
 * here and gateways consume here, so both sides take the names from this file.
 */

/** A cluster name: it becomes part of a stream name, a bucket name and subjects. */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** The header that names the node (the partition) an HTTP ingest batch comes from. */
export const NODE_HEADER = 'x-pxgate-node';

/** The partition of batches sent over HTTP without a node header. */
export const DEFAULT_PARTITION = 'unnamed';

/** A value that cannot be decoded back into a node name or a member id. */
export class ClusterNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterNameError';
  }
}

/** The longest node name or member id accepted (Kubernetes node names are at most 253). */
export const MAX_NAME_LENGTH = 253;

/**
 * A node name or member id as one subject token and KV key part. Letters, digits, `_` and `-`
 * stay; every other UTF-8 byte becomes `=XX` (upper-case hex), so `.`, `*`, `>` and spaces can
 * never split or widen a subject, and the encoding is reversible.
 */
export function encodeToken(name: string): string {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new ClusterNameError(`a node name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The name `encodeToken` made this token from; a token it cannot have made is an error. */
export function decodeToken(token: string): string {
  if (token.length === 0 || token.length > MAX_NAME_LENGTH * 3) {
    throw new ClusterNameError(`a token must be 1 to ${MAX_NAME_LENGTH * 3} characters`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    if (c !== '=') {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const hex = token.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) throw notEncoded(token);
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  let name: string;
  try {
    name = UTF8.decode(Uint8Array.from(bytes, (b) => b & 0xff));
  } catch {
    throw notEncoded(token);
  }
  // Only what encodeToken makes comes back: no needless escapes, no raw dots or wildcards.
  if (name.length > MAX_NAME_LENGTH || name.length === 0 || encodeToken(name) !== token) {
    throw notEncoded(token);
  }
  return name;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function notEncoded(token: string): ClusterNameError {
  return new ClusterNameError(`not an encoded name: ${JSON.stringify(token.slice(0, 60))}`);
}

/** The names of one cluster's stream, subjects and bucket. */
export class ClusterSubjects {
  constructor(readonly cluster: string) {
    if (!CLUSTER_NAME_PATTERN.test(cluster)) {
      throw new ClusterNameError(
        `cluster name ${JSON.stringify(cluster)} must be 1 to 32 letters, digits, _ or -`,
      );
    }
  }

  /** The JetStream stream that keeps the cluster's window. */
  get stream(): string {
    return `PXGATE_${this.cluster}`;
  }

  /** The KV bucket of members and export cursors. */
  get bucket(): string {
    return `pxgate_${this.cluster}`;
  }

  /** Every ingest subject: the stream's first subject. */
  get allIngest(): string {
    return `pxgate.${this.cluster}.ingest.>`;
  }

  /** Every metadata subject: the stream's second subject. */
  get allMetadata(): string {
    return `pxgate.${this.cluster}.metadata.>`;
  }

  /** Where a node's batches of one table are published. */
  ingest(node: string, table: string): string {
    return `pxgate.${this.cluster}.ingest.${encodeToken(node)}.${encodeToken(table)}`;
  }

  /** Every table of one node: what the partition's owner consumes. */
  partition(node: string): string {
    return `pxgate.${this.cluster}.ingest.${encodeToken(node)}.>`;
  }

  /** Where a node's process metadata is published. */
  metadata(node: string): string {
    return `pxgate.${this.cluster}.metadata.${encodeToken(node)}`;
  }

  /** The node and table of an ingest subject; an error for any other subject. */
  parseIngest(subject: string): { node: string; table: string } {
    const prefix = `pxgate.${this.cluster}.ingest.`;
    const rest = subject.startsWith(prefix) ? subject.slice(prefix.length).split('.') : [];
    if (rest.length !== 2) {
      throw new ClusterNameError(`not an ingest subject: ${JSON.stringify(subject.slice(0, 80))}`);
    }
    return { node: decodeToken(rest[0]!), table: decodeToken(rest[1]!) };
  }
}

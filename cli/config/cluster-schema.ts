import { z } from 'zod';
import { CLUSTER_NAME_PATTERN } from '../../shared/contract/cluster-subjects';
import { clientTlsConfig } from './auth-schema';
import { duration } from './fields';

const file = z.string().min(1);

/** How a gateway or an agent reaches NATS: the server(s), and credentials and TLS if it asks. */
const natsConfig = z
  .strictObject({
    /** The NATS server, e.g. nats://nats:4222 (tls:// for TLS); unset: no cluster mode. */
    url: z
      .string()
      .regex(/^(nats|tls):\/\/[^\s/]+$/, 'expected nats://HOST:PORT or tls://HOST:PORT')
      .optional(),
    /** A NATS credentials file (a user JWT and its NKey seed), as `nsc` writes it. */
    credsFile: file.optional(),
    /** A token the server requires (authorization { token }). */
    token: z.string().min(1).optional(),
    /** PEM CA(s) to trust for the server's certificate, and a client certificate and key. */
    tls: clientTlsConfig.prefault({}),
  })
  .refine((n) => n.credsFile === undefined || n.token === undefined, {
    message: 'give either credsFile or token',
    path: ['token'],
  });

/** Scale-out on NATS JetStream (docs/scale-out.md). */
export const ClusterConfigSchema = z.strictObject({
  /** The cluster's name: gateways and agents with the same name share one stream. */
  name: z
    .string()
    .regex(CLUSTER_NAME_PATTERN, 'must be 1 to 32 letters, digits, _ or -')
    .default('default'),
  nats: natsConfig.prefault({}),
  /** This gateway's member id (unset: the host name and a random suffix). */
  memberId: z.string().min(1).max(64).optional(),
  /** How often a gateway writes its member record. */
  heartbeat: duration
    .refine((ms) => ms >= 100 && ms <= 60_000, 'must be between 100ms and 60s')
    .prefault('1s'),
  /** A member whose record is older than this is gone: its partitions move. */
  memberTimeout: duration
    .refine((ms) => ms >= 500 && ms <= 600_000, 'must be between 500ms and 10m')
    .prefault('5s'),
  /** How many gateways the stream is sized for: it keeps this many stores' budgets. */
  gateways: z.number().int().min(1).max(1000).default(3),
  /** The stream's byte limit in MiB (unset: store.limitMb × gateways). */
  streamLimitMb: z.number().positive().optional(),
  /** Ingest batches being published at once by this gateway; more get 503 and are retried. */
  maxInFlight: z.number().int().min(1).max(65536).default(256),
});

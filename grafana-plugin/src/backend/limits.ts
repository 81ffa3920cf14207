/**
 * Bounds on the work one request can cause, and on what the backend accepts from Grafana and
 * the gateway. Each is far above what a dashboard needs.
 */

/** Queries of one QueryData request that run at the same time; the rest wait their turn. */
export const QUERY_CONCURRENCY = 4;

/** Queries in one QueryData request. */
export const MAX_QUERIES = 200;

/** The JSON of one query (the gateway takes scripts up to 2 MiB). */
export const MAX_QUERY_JSON_BYTES = 2 * 1024 * 1024;

/** A data source's jsonData. */
export const MAX_SETTINGS_JSON_BYTES = 64 * 1024;

/** The body of one resource call. */
export const MAX_RESOURCE_BODY_BYTES = 2 * 1024 * 1024;

/** One answer of the gateway. */
export const MAX_GATEWAY_ANSWER_BYTES = 64 * 1024 * 1024;

/** How long one gateway call may take. */
export const GATEWAY_TIMEOUT_MS = 30_000;

/** gRPC messages the backend receives (Grafana sends queries, not data). */
export const MAX_GRPC_RECEIVE_BYTES = 16 * 1024 * 1024;

/** Connections to one gateway at a time; more calls wait for one. */
export const MAX_GATEWAY_CONNECTIONS = 32;

/** Idle connections kept open per gateway for the next queries. */
export const MAX_IDLE_GATEWAY_CONNECTIONS = 8;

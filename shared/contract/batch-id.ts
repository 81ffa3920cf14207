/**
 * The header that names an ingest batch, so that a batch sent again (its answer was lost to a
 * timeout or a gateway restart) is stored once. Agents set it on every batch; the gateway
 * answers a batch id it has seen with the first answer, without storing the rows again.
 */
export const BATCH_ID_HEADER = 'x-pxgate-batch-id';

/** A batch id: 1 to 128 letters, digits and `._:-` (a UUID fits). */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

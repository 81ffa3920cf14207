import { BATCH_ID_HEADER, BATCH_ID_PATTERN } from '../../../shared/contract/batch-id';
import { IngestError } from './errors';

/** The batch id of a request, or undefined without one; a malformed id is the caller's fault. */
export function parseBatchId(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (!BATCH_ID_PATTERN.test(header)) {
    throw new IngestError(
      `${BATCH_ID_HEADER} must be 1 to 128 letters, digits or ._:- (a UUID, say), got ${JSON.stringify(header.slice(0, 60))}`,
    );
  }
  return header;
}

import { Logger } from '../../../../shared/common/logger';
import { TableSchema } from '../../../../shared/contract/types';
import { FRAME_HEADER_BYTES, LogFileError, readFrames } from './frames';
import { SegmentRecord, decodeSegmentRecord } from './segment-record';
import { WriteAheadLog } from './write-ahead-log';

/** One segment read back from its file. */
export interface RecoveredSegment {
  readonly id: number;
  readonly records: readonly SegmentRecord[];
}

/**
 * Reads a table's segment files back, oldest first, one segment at a time. Reading a file stops
 * at its first record that is cut short, fails its checksum or does not decode, and the file is
 * cut there: at the end of the newest file that is a write a crash interrupted (never
 * acknowledged), logged as a warning; anywhere else it is damage, logged as an error with the
 * bytes lost. Records must follow each other in ingest sequence; a file left empty is deleted.
 */
export async function* recoverSegments(
  wal: WriteAheadLog,
  schema: TableSchema,
  log: Logger,
): AsyncGenerator<RecoveredSegment> {
  const ids = await wal.segments(schema.name);
  let lastSeq = 0;
  for (const [i, id] of ids.entries()) {
    const buf = await wal.read(schema.name, id);
    const scan = readFrames(buf);
    const records: SegmentRecord[] = [];
    let validBytes = 0;
    let problem = scan.problem;
    let torn = scan.tornTail === true && i === ids.length - 1;
    for (const payload of scan.payloads) {
      try {
        const record = decodeSegmentRecord(schema, payload);
        if (record.firstSeq <= lastSeq) {
          throw new LogFileError(
            `a record starts at sequence number ${record.firstSeq}, not after ${lastSeq}`,
          );
        }
        records.push(record);
        lastSeq = record.firstSeq + record.batch.rowCount - 1;
        validBytes += FRAME_HEADER_BYTES + payload.length;
      } catch (err) {
        if (!(err instanceof LogFileError)) throw err;
        problem = err.message;
        torn = false;
        break;
      }
    }
    if (problem !== undefined) {
      const where = {
        table: schema.name,
        segment: id,
        atByte: validBytes,
        bytesDropped: buf.length - validBytes,
        problem,
      };
      if (torn) {
        log.warn(
          where,
          'dropped a torn last record of the write-ahead log (a write cut by a crash; it was never acknowledged)',
        );
      } else {
        log.error(
          where,
          'the write-ahead log is damaged: the rest of this segment file is dropped',
        );
      }
      await wal.cut(schema.name, id, validBytes);
    }
    if (records.length === 0) {
      await wal.remove(schema.name, [id]);
      continue;
    }
    yield { id, records };
  }
}

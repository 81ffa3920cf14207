/** What Prometheus counted against what the soak sent, and the gateway's count of rows it evicted unexported. */
export interface ExportCount {
  /** Rows acknowledged by the gateway, per response status. */
  readonly sentByStatus: Readonly<Record<string, number>>;
  /** Requests Prometheus counted, per response status. */
  readonly exportedByStatus: Readonly<Record<string, number>>;
  /**
   * `pxgate_store_evicted_unexported_rows_total` of the table: rows evicted before every sink
   * had taken them, an upper bound of the rows the export lost.
   */
  readonly evictedUnexported: number;
}

/**
 * The soak's export verdict, by issue 11's rule: nothing counted twice (no status above what was
 * sent) and nothing lost that was not counted (the rows missing, over all statuses, at most the
 * rows the gateway counted as evicted before export). Empty when it holds, else the reasons.
 */
export function exportVerdict(c: ExportCount): string[] {
  const reasons: string[] = [];
  const statuses = new Set([...Object.keys(c.sentByStatus), ...Object.keys(c.exportedByStatus)]);
  let missing = 0;
  for (const s of [...statuses].sort()) {
    const sent = c.sentByStatus[s] ?? 0;
    const exported = c.exportedByStatus[s] ?? 0;
    if (exported > sent)
      reasons.push(`status ${s} counted ${exported} times for ${sent} rows sent`);
    else missing += sent - exported;
  }
  if (missing > c.evictedUnexported) {
    reasons.push(
      `${missing} rows not counted by Prometheus, of which only ${c.evictedUnexported} ` +
        'were counted as evicted before export (pxgate_store_evicted_unexported_rows_total)',
    );
  }
  return reasons;
}

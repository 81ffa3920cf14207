/** How many warnings and errors a gateway log (pino JSON lines) holds, and the first of each. */
export function logSummary(text: string): string {
  const found = { warn: [] as string[], error: [] as string[] };
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const level = typeof entry.level === 'number' ? entry.level : 0;
    const what = `${String(entry.msg ?? '')}${entry.err?.message ? `: ${String(entry.err.message)}` : ''}`;
    if (level >= 50) found.error.push(what);
    else if (level >= 40) found.warn.push(what);
  }
  const first = (xs: string[]) => (xs.length > 0 ? ` (first: ${xs[0]!.slice(0, 200)})` : '');
  return `${found.warn.length} warnings${first(found.warn)}, ${found.error.length} errors${first(found.error)}`;
}

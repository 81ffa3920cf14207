/** A file mapped executable into a process: one line of /proc/PID/maps. */
export interface ExecutableMapping {
  /** `start-end`, the name of the mapping in /proc/PID/map_files (hex without leading zeros). */
  readonly range: string;
  /** The file, as `fileKey` writes it. */
  readonly key: string;
  /** Its path in the process's mount namespace, without the " (deleted)" mark. */
  readonly path: string;
  readonly deleted: boolean;
}

const LINE =
  /^([0-9a-f]{1,16}-[0-9a-f]{1,16}) [r-][w-]x[ps] [0-9a-f]+ ([0-9a-f]+):([0-9a-f]+) (\d+) +(\/.*)$/;
const DELETED = ' (deleted)';

/** One name per file: device major, minor and inode number. */
export function fileKey(devMajor: number, devMinor: number, ino: number): string {
  return `${devMajor}:${devMinor}:${ino}`;
}

/**
 * The files a process maps executable, from the text of /proc/PID/maps (proc(5)), each once (its
 * first mapping). Lines that are not such a mapping (anonymous, [vdso], not executable, cut
 * short) are skipped.
 */
export function executableMappings(text: string): ExecutableMapping[] {
  const out = new Map<string, ExecutableMapping>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m || m[4] === '0') continue;
    const key = fileKey(parseInt(m[2]!, 16), parseInt(m[3]!, 16), Number(m[4]));
    if (out.has(key)) continue;
    const deleted = m[5]!.endsWith(DELETED);
    const path = deleted ? m[5]!.slice(0, -DELETED.length) : m[5]!;
    out.set(key, { range: m[1]!.replace(/(^|-)0+(?=[0-9a-f])/g, '$1'), key, path, deleted });
  }
  return [...out.values()];
}

import { statSync } from 'node:fs';

/** How often watched files are checked: a Kubernetes Secret or ConfigMap changes within ~1 min. */
export const FILE_POLL_MS = 2_000;

/** What tells one version of a file from the next; '' when the file is missing. */
function versionOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return '';
  }
}

/**
 * Calls `onChange` whenever one of the files changes, appears or goes. Polling `stat` follows
 * symlinks, so it also sees Kubernetes swap a Secret volume's `..data` link, which inotify on
 * the file's path misses. The first versions are read here, synchronously: a change made right
 * after this returns is seen (fs.watchFile takes its first stat later, on the thread pool, and
 * missed a file replaced in between). Returns the function that stops watching; calling it
 * twice is safe.
 */
export function watchFiles(
  paths: readonly string[],
  onChange: () => void,
  pollMs = FILE_POLL_MS,
): () => void {
  const unique = [...new Set(paths)];
  const versions = unique.map(versionOf);
  const timer = setInterval(() => {
    let changed = false;
    unique.forEach((p, i) => {
      const v = versionOf(p);
      if (v !== versions[i]) {
        versions[i] = v;
        changed = true;
      }
    });
    if (changed) onChange();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}

import { unwatchFile, watchFile } from 'node:fs';

/** How often watched files are checked: a Kubernetes Secret or ConfigMap changes within ~1 min. */
export const FILE_POLL_MS = 2_000;

/**
 * Calls `onChange` whenever one of the files changes, appears or goes (stat polling follows
 * symlinks, so it also sees Kubernetes swap a Secret volume's `..data` link, which inotify on
 * the file's path misses). Returns the function that stops watching; calling it twice is safe.
 */
export function watchFiles(
  paths: readonly string[],
  onChange: () => void,
  pollMs = FILE_POLL_MS,
): () => void {
  const unique = [...new Set(paths)];
  const listener = () => onChange();
  for (const p of unique) watchFile(p, { interval: pollMs, persistent: false }, listener);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const p of unique) unwatchFile(p, listener);
  };
}

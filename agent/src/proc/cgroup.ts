/** Where a process runs, read from its cgroup path: the container and pod it belongs to. */
export interface CgroupIdentity {
  /** The container runtime's id (64 hex digits, no runtime prefix), or ''. */
  readonly containerId: string;
  /** The Kubernetes pod UID (with dashes), or ''. */
  readonly podUid: string;
}

const POD_RE =
  /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?(?:\/|$)/;
// A path segment naming a container: containerd, cri-o and docker, systemd (`<runtime>-<id>.scope`)
// and cgroupfs (`<id>`) layouts. `crio-conmon-<id>` is cri-o's monitor process, not the container.
const CONTAINER_RE =
  /^(?:(?:cri-containerd|containerd|crio|docker|libpod)-)?([0-9a-f]{64})(?:\.scope)?$/;

/**
 * Reads the container id and pod UID from /proc/PID/cgroup text, for cgroup v1 and v2 paths of
 * the cgroupfs and systemd drivers (`kubepods/burstable/pod<uid>/<id>`,
 * `kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope`, ...).
 */
export function parseCgroup(text: string): CgroupIdentity {
  let containerId = '';
  let podUid = '';
  for (const line of text.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    if (!path) continue;
    if (!podUid) {
      const m = POD_RE.exec(path);
      if (m) podUid = m[1]!.replace(/_/g, '-');
    }
    if (!containerId) {
      for (const segment of path.split('/').reverse()) {
        const m = CONTAINER_RE.exec(segment);
        if (m) {
          containerId = m[1]!;
          break;
        }
      }
    }
    if (containerId && podUid) break;
  }
  return { containerId, podUid };
}

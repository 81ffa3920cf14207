import { existsSync } from 'node:fs';
import koffi from './koffi';
import { EbpfUnavailableError } from './unavailable';

const TRACEFS = '/sys/kernel/tracing';
const DEBUGFS_TRACING = '/sys/kernel/debug/tracing';
const SYSCALL_EVENTS = 'events/syscalls/sys_enter_read';

/**
 * libbpf attaches tracepoints by the ids it reads from tracefs, which many hosts (and
 * containers) leave unmounted. Mounts it at /sys/kernel/tracing when needed; says what to do
 * when that is not allowed or the kernel has no syscall tracepoints.
 */
export function ensureTracefs(): 'mounted-by-us' | 'present' {
  if (hasSyscallEvents()) return 'present';
  if (!existsSync(`${TRACEFS}/trace`)) {
    const mount = koffi
      .load('libc.so.6')
      .func(
        'int mount(const char *src, const char *target, const char *type, unsigned long flags, const void *data)',
      );
    if ((mount('nodev', TRACEFS, 'tracefs', 0, null) as number) !== 0) {
      const errno = koffi.errno();
      throw new EbpfUnavailableError(
        `tracefs is not mounted at ${TRACEFS} and mounting it failed (errno ${errno})`,
        `Mount it as root: mount -t tracefs nodev ${TRACEFS} (in Kubernetes, mount the host's /sys/kernel/tracing into the agent's pod)`,
      );
    }
    if (hasSyscallEvents()) return 'mounted-by-us';
  }
  throw new EbpfUnavailableError(
    'the kernel has no syscall tracepoints (tracefs has no events/syscalls)',
    'Run on a kernel built with CONFIG_FTRACE_SYSCALLS=y (every major distribution kernel is)',
  );
}

function hasSyscallEvents(): boolean {
  return (
    existsSync(`${TRACEFS}/${SYSCALL_EVENTS}`) || existsSync(`${DEBUGFS_TRACING}/${SYSCALL_EVENTS}`)
  );
}

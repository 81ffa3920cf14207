import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadLibbpf } from '../../agent/src/ebpf/libbpf';

/** Why eBPF tracing cannot be tested here, or undefined when it can (root, BTF, libbpf). */
export function ebpfUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'eBPF tracing needs Linux';
  if (process.getuid?.() !== 0) return 'eBPF tracing needs root (CI runs the tests as root)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel exposes no BTF';
  try {
    loadLibbpf();
  } catch (err) {
    return `libbpf.so.1 cannot be loaded (apt-get install libbpf1): ${(err as Error).message}`;
  }
  return undefined;
}

/** The first of these commands that is not installed, as a reason to skip. */
export function missingCommand(...commands: string[]): string | undefined {
  const missing = commands.find((c) => spawnSync(c, ['--version']).error !== undefined);
  return missing ? `${missing} is not installed` : undefined;
}

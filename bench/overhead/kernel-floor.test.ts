import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tracepointsOf } from './kernel-floor';

const BPF = join(__dirname, '..', '..', 'bpf');

/** The named tracepoint sections the C sources declare (the tail-call targets have no name). */
function declared(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(BPF).filter((f) => /\.bpf\.(c|h)$/.test(f))) {
    const source = readFileSync(join(BPF, file), 'utf8');
    for (const m of source.matchAll(/SEC\("tracepoint\/(\w+)\/(\w+)"\)/g)) {
      names.add(`tracepoint:${m[1]}:${m[2]}`);
    }
  }
  return [...names].sort();
}

describe('tracepointsOf', () => {
  it('finds in the compiled object exactly the tracepoints the C sources attach to', () => {
    const points = tracepointsOf(join(BPF, 'socket_trace.bpf.o'));
    expect(points).toEqual(declared());
    expect(points).toContain('tracepoint:syscalls:sys_exit_read');
    expect(points).toContain('tracepoint:sched:sched_process_exec');
  });
});

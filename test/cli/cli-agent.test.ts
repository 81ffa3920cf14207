import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { PxgateProcess } from '../support/cli';
import { ebpfUnavailable, missingCommand } from '../support/ebpf';
import { TestGateway, startTestGateway } from '../support/gateway';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

/** BPF program ids a process holds open, from the prog_id lines of its fds' fdinfo. */
function programsOf(pid: number): number[] {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const m = /^prog_id:\s+(\d+)$/m.exec(info);
    if (m) ids.add(Number(m[1]));
  }
  return [...ids];
}

function programExists(id: number): boolean {
  try {
    execFileSync('bpftool', ['prog', 'show', 'id', String(id)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describeIfAvailable('pxgate start', ebpfUnavailable() ?? missingCommand('bpftool'), () => {
  it('runs gateway and agent in one process and detaches cleanly on SIGTERM', async () => {
    const px = PxgateProcess.start([
      'start',
      '--in-memory',
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'info',
    ]);
    try {
      const listening = await px.waitForLog(
        (l) => l.msg === 'gateway listening',
        'gateway listening',
      );
      await px.waitForLog((l) => l.msg === 'agent started', 'agent started');
      const url = String(listening.url);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
        /^pxgate_agent_ebpf_attached 1$/m,
      );
      const programs = programsOf(px.child.pid!);
      // 25 on the syscall tracepoints (sendmmsg and recvmmsg among them), inference's 2 tail
      // calls, 2 that say where TLS libraries appear (exec, mmap) and the 6 TLS uprobe programs,
      // placed on files as they are found (px_infer_test, for the inference test, is not loaded).
      expect(programs).toHaveLength(35);

      expect(await px.stop('SIGTERM')).toBe(0);
      expect(px.messages()).toEqual(
        expect.arrayContaining(['socket tracer detached', 'agent stopped', 'gateway stopped']),
      );
      expect(programs.filter(programExists)).toEqual([]);
    } finally {
      await px.stop('SIGKILL');
    }
  }, 60000);
});

// Without CAP_BPF the kernel refuses the programs: the agent must say so and keep collecting.
const unprivileged =
  process.getuid?.() === 0
    ? ['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--']
    : [];

describeIfAvailable(
  'pxgate agent without eBPF privileges',
  unprivileged.length ? missingCommand('setpriv') : undefined,
  () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway();
    });
    afterAll(() => gw.close());

    it('says what is missing and what to do, and keeps the /proc collectors running', async () => {
      const px = PxgateProcess.start(
        ['agent', '--gateway', gw.url, '--metrics-listen', '127.0.0.1:0', '--log-level', 'info'],
        unprivileged,
      );
      try {
        const off = await px.waitForLog(
          (l) => /^eBPF tracing is off: /.test(String(l.msg)),
          'eBPF off',
        );
        expect(off).toMatchObject({
          level: 40,
          missing: expect.any(String),
          remedy: expect.any(String),
        });
        expect(String(off.msg)).toMatch(/keep running/);
        const metricsAt = await px.waitForLog(
          (l) => l.msg === 'agent metrics listening',
          'metrics',
        );
        expect(await (await fetch(String(metricsAt.url))).text()).toMatch(
          /^pxgate_agent_ebpf_attached 0$/m,
        );
        const conn = await gw.gateway.store.connect();
        try {
          await waitFor(
            async () =>
              (
                await conn.runAndReadAll(
                  'SELECT count(*)::INT AS n FROM process_stats WHERE CAST((upid >> 64) & 4294967295 AS INT) = $1',
                  [px.child.pid!],
                )
              ).getRowObjects()[0]!.n as number,
            (n) => n > 0,
            { what: "the agent's own process_stats row at the gateway" },
          );
        } finally {
          conn.closeSync();
        }
        expect(await px.stop('SIGINT')).toBe(0);
        expect(px.messages()).toContain('agent stopped');
      } finally {
        await px.stop('SIGKILL');
      }
    }, 60000);
  },
);

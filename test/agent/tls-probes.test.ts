import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocketTracer, UprobeLink } from '../../agent/src/ebpf/socket-tracer';
import { DEFAULT_TLS_PROBE_OPTIONS, TlsProbes } from '../../agent/src/tls/tls-probes';
import { ebpfUnavailable } from '../support/ebpf';
import { capturingLogger } from '../support/logs';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

const LIBSSL = [
  '/usr/lib/x86_64-linux-gnu/libssl.so.3',
  '/usr/lib/aarch64-linux-gnu/libssl.so.3',
].find((p) => existsSync(p));

/** A Python process that maps `lib` (through ctypes, as dlopen does) and waits. */
async function mapping(lib: string): Promise<ChildProcess> {
  const child = spawn(
    '/usr/bin/python3',
    [
      '-c',
      `import ctypes, sys; ctypes.CDLL(${JSON.stringify(lib)}); print('ok', flush=True); sys.stdin.read()`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await once(child.stdout!, 'data');
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

describeIfAvailable(
  'TLS uprobes placed on the files processes map',
  ebpfUnavailable() ??
    (LIBSSL && existsSync('/usr/bin/python3')
      ? undefined
      : 'libssl.so.3 or /usr/bin/python3 is missing'),
  () => {
    let tracer: SocketTracer;
    let probes: TlsProbes | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'pxgate-tls-probes-'));
    const children: ChildProcess[] = [];
    // Copies of libssl are files of their own (inodes) that only this test's processes map.
    const lib = join(dir, 'libssl.so.3');
    const copy = join(dir, 'libssl-copy.so.3');
    const links = new Set<UprobeLink>();
    let logged: () => Record<string, unknown>[] = () => [];
    const said = (msg: string, path: string) =>
      logged().filter((l) => l.msg === msg && l.path === path).length;

    /** TlsProbes on the real tracer, through a spy that keeps the links placed and not taken off. */
    const startProbes = (rescanIntervalMs: number): TlsProbes => {
      const { log, lines } = capturingLogger('info');
      logged = lines;
      const attacher = {
        attachUprobe: (program: string, path: string, offset: number) => {
          const link = tracer.attachUprobe(program, path, offset);
          links.add(link);
          return link;
        },
        detachUprobe: (link: UprobeLink) => {
          links.delete(link);
          tracer.detachUprobe(link);
        },
      };
      probes = new TlsProbes(attacher, log, { ...DEFAULT_TLS_PROBE_OPTIONS, rescanIntervalMs });
      probes.start();
      return probes;
    };

    /** Waits until `n` more passes over every process have finished. */
    const passes = async (p: TlsProbes, n: number) => {
      const target = p.counters().rescans + n;
      await waitFor(
        () => p.counters().rescans,
        (r) => r >= target,
        { what: `${n} rescans` },
      );
    };

    beforeAll(async () => {
      copyFileSync(LIBSSL!, lib);
      copyFileSync(LIBSSL!, copy);
      children.push(await mapping(lib));
      const { log } = capturingLogger('warn');
      tracer = SocketTracer.open(
        {
          captureBytes: 256,
          ringBufferBytes: 1 << 20,
          pollIntervalMs: 20,
          maxEventsPerSlice: 4096,
        },
        log,
        (ev) => {
          if (ev.kind === 'exec') probes?.onExec(ev);
        },
      );
      tracer.start();
    }, 30000);

    afterAll(async () => {
      await probes?.shutdown();
      tracer?.shutdown();
      for (const c of children) await stop(c);
      rmSync(dir, { recursive: true, force: true });
    });

    it('attaches to a library mapped before it started: SSL_read, SSL_write, their _ex forms and SSL_free', async () => {
      const p = startProbes(3_600_000);
      await waitFor(
        () => said('attached TLS uprobes', lib),
        (n) => n === 1,
        { what: `uprobes on ${lib}` },
      );
      const line = logged().find((l) => l.msg === 'attached TLS uprobes' && l.path === lib);
      expect(line?.probes).toBe(9); // four entries, four returns, SSL_free
      expect(new Set([...links].map((l) => l.program))).toEqual(
        new Set([
          'px_ssl_read_enter',
          'px_ssl_write_enter',
          'px_ssl_read_ex_enter',
          'px_ssl_write_ex_enter',
          'px_ssl_exit',
          'px_ssl_free_enter',
        ]),
      );
      // The pass at start ends after the other processes too; no other pass comes for an hour.
      await waitFor(
        () => p.counters().rescans,
        (r) => r === 1,
        { what: 'the pass at start' },
      );
    });

    it('attaches to a library a new process maps, told by the kernel between rescans', async () => {
      const p = probes!;
      const before = links.size;
      children.push(await mapping(copy));
      await waitFor(
        () => said('attached TLS uprobes', copy),
        (n) => n === 1,
        { what: `uprobes on ${copy}` },
      );
      expect(p.counters().rescans).toBe(1); // the only pass was at start
      expect(links.size).toBe(before + 9);
    });

    it('attaches to a host library that a process mapped and exited at once, found by its name', async () => {
      const p = probes!;
      // Where the host's libraries are; a name the kernel's 31 bytes keep whole.
      const name = `libssl-pxgate-${process.pid.toString(16)}.so.3`;
      const hostLib = join('/usr/local/lib', name);
      copyFileSync(LIBSSL!, hostLib);
      try {
        const quick = spawn('/usr/bin/python3', [
          '-c',
          `import ctypes; ctypes.CDLL(${JSON.stringify(hostLib)})`,
        ]);
        const [code] = (await once(quick, 'exit')) as [number];
        expect(code).toBe(0);
        await waitFor(
          () => said('attached TLS uprobes', hostLib),
          (n) => n === 1,
          { what: `uprobes on ${hostLib}` },
        );
        expect(p.counters().rescans).toBe(1);
      } finally {
        rmSync(hostLib, { force: true });
      }
    });

    it('takes every uprobe off at shutdown, and shutdown is safe twice', async () => {
      const p = probes!;
      expect(links.size).toBeGreaterThan(0);
      await p.shutdown();
      await p.shutdown();
      expect(links.size).toBe(0);
    });

    it('attaches once per file however many processes map it', async () => {
      children.push(await mapping(copy), await mapping(lib));
      const p = startProbes(200);
      await passes(p, 3);
      expect([said('attached TLS uprobes', lib), said('attached TLS uprobes', copy)]).toEqual([
        1, 1,
      ]);
    });

    it('takes the uprobes off the files that no process maps any more', async () => {
      const before = links.size;
      for (const c of children.splice(0)) await stop(c);
      await waitFor(
        () => [said('detached TLS uprobes', lib), said('detached TLS uprobes', copy)],
        (d) => d[0] === 1 && d[1] === 1,
        { what: 'uprobes off both copies' },
      );
      expect(links.size).toBe(before - 18);
    });
  },
);

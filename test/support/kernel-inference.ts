import { join } from 'node:path';
import {
  Protocol,
  PX_INFER_BUF,
  PX_INFER_BYTES,
  PX_INFER_MATCHES_SHIFT,
  PX_INFER_SIDE_SHIFT,
  Side,
  Transport,
} from '../../agent/src/ebpf/layout';
import { Libbpf, Ptr, loadLibbpf } from '../../agent/src/ebpf/libbpf';
import { writeRedisCommands } from '../../agent/src/ebpf/redis-command-table';
import { INFER_TEST_PROGRAM } from '../../agent/src/ebpf/socket-tracer';

const OBJECT = join(__dirname, '..', '..', 'bpf', 'socket_trace.bpf.o');

/** What inference is asked: the first bytes of a chunk and what is known around them. */
export interface InferInput {
  readonly bytes: Uint8Array;
  /** Bytes the chunk held (default: all of `bytes`). */
  readonly len?: number;
  readonly side: 'request' | 'response' | 'either';
  readonly transport: 'tcp' | 'udp';
  readonly localPort?: number;
  readonly remotePort?: number;
}

/** Its answer: the protocol (0: none), the side it was found on, every protocol that fit. */
export interface InferAnswer {
  readonly protocol: number;
  readonly side: 'request' | 'response' | 'either';
  readonly matches: readonly number[];
}

const SIDES = { either: Side.EITHER, request: Side.REQUEST, response: Side.RESPONSE } as const;
const SIDE_NAMES = ['either', 'request', 'response'] as const;
const PROTOCOLS = Object.values(Protocol).filter((p) => p !== 0);

/** The protocols whose bits are set in a mask, ascending. */
export function protocolsOf(mask: number): number[] {
  return PROTOCOLS.filter((p) => (mask & (1 << p)) !== 0).sort((a, b) => a - b);
}

/**
 * The kernel's protocol inference (bpf/protocol_inference.h) as the committed object has it,
 * run on bytes of our choosing: its program px_infer_test, loaded alone and run with
 * BPF_PROG_TEST_RUN, with the Redis command table the agent writes. Needs root.
 */
export class KernelInference {
  private constructor(
    private readonly lib: Libbpf,
    private readonly obj: Ptr,
    private readonly progFd: number,
  ) {}

  static open(): KernelInference {
    const lib = loadLibbpf();
    const obj = lib.objectOpenFile(OBJECT);
    if (!obj) throw new Error(`failed to open ${OBJECT}: ${lib.strerror(lib.errno())}`);
    let prog: Ptr | undefined;
    for (let p = lib.objectNextProgram(obj, null); p; p = lib.objectNextProgram(obj, p)) {
      const name = lib.programName(p);
      // The tail-call targets load too: px_tails names them, and libbpf fills it at load.
      lib.programSetAutoload(p, name === INFER_TEST_PROGRAM || name.startsWith('px_tail_'));
      if (name === INFER_TEST_PROGRAM) prog = p;
    }
    const maps = new Map<string, Ptr>();
    for (let m = lib.objectNextMap(obj, null); m; m = lib.objectNextMap(obj, m)) {
      maps.set(lib.mapName(m), m);
    }
    // The ring buffer is not used here: the smallest one will do.
    lib.mapSetMaxEntries(maps.get('px_events')!, lib.pageSize());
    const err = lib.objectLoad(obj);
    if (err !== 0 || !prog) {
      lib.objectClose(obj);
      throw new Error(`failed to load ${INFER_TEST_PROGRAM}: ${lib.strerror(-err)}`);
    }
    writeRedisCommands(lib, maps.get('px_redis_commands')!);
    return new KernelInference(lib, obj, lib.programFd(prog));
  }

  infer(input: InferInput): InferAnswer {
    const F = PX_INFER_BUF.fields;
    const ctx = new Uint8Array(PX_INFER_BUF.size);
    const view = new DataView(ctx.buffer);
    view.setUint32(F.len!.offset, input.len ?? input.bytes.length, true);
    view.setUint16(F.local_port!.offset, input.localPort ?? 0, true);
    view.setUint16(F.remote_port!.offset, input.remotePort ?? 0, true);
    view.setUint8(F.side!.offset, SIDES[input.side]);
    view.setUint8(F.transport!.offset, input.transport === 'udp' ? Transport.UDP : Transport.TCP);
    ctx.set(input.bytes.subarray(0, PX_INFER_BYTES), F.data!.offset);
    const { err, retval } = this.lib.programTestRun(this.progFd, ctx);
    if (err !== 0) throw new Error(`BPF_PROG_TEST_RUN failed: ${this.lib.strerror(-err)}`);
    return {
      protocol: retval & 0xff,
      side: SIDE_NAMES[(retval >>> PX_INFER_SIDE_SHIFT) & 0xff] ?? 'either',
      matches: protocolsOf(retval >>> PX_INFER_MATCHES_SHIFT),
    };
  }

  close(): void {
    this.lib.objectClose(this.obj);
  }
}

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIfAvailable } from '../../../test/support/system';
import { CONSTANTS, STRUCTS, StructLayout } from './layout';

const BPF_DIR = join(__dirname, '..', '..', '..', 'bpf');
const HEADER = join(BPF_DIR, 'socket_trace.h');
const OBJECT = join(BPF_DIR, 'socket_trace.bpf.o');

interface BtfType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  members?: { name: string; type_id: number; bits_offset: number }[];
  vars?: { type_id: number; offset: number; size: number }[];
  nr_elems?: number;
}

/** The struct layouts (byte offset and size of each member) that an object's BTF describes. */
function btfLayouts(object: string): { structs: Map<string, StructLayout>; types: BtfType[] } {
  const out = execFileSync('bpftool', ['btf', 'dump', 'file', object, '-j'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const types = (JSON.parse(out) as { types: BtfType[] }).types;
  const byId = new Map(types.map((t) => [t.id, t]));
  const sizeOf = (id: number): number => {
    const t = byId.get(id)!;
    if (t.size !== undefined) return t.size;
    if (t.kind === 'ARRAY') return sizeOf(t.type_id!) * (t.nr_elems ?? 0);
    return sizeOf(t.type_id!);
  };
  const structs = new Map<string, StructLayout>();
  for (const t of types) {
    if (t.kind !== 'STRUCT' || !(t.name in STRUCTS)) continue;
    const fields: Record<string, { offset: number; size: number }> = {};
    for (const m of t.members!)
      fields[m.name] = { offset: m.bits_offset / 8, size: sizeOf(m.type_id) };
    structs.set(t.name, { size: t.size!, fields });
  }
  return { structs, types };
}

const bpftool =
  spawnSync('bpftool', ['version']).status === 0 ? undefined : 'bpftool is not installed';
const clang = spawnSync('clang', ['--version']).status === 0 ? undefined : 'clang is not installed';

describe('the decoder layout and socket_trace.h', () => {
  it('has every enum value and define of the header', () => {
    const header = readFileSync(HEADER, 'utf8');
    const found: Record<string, number> = {};
    for (const m of header.matchAll(/^\s*(PX_[A-Z0-9_]+)\s*=\s*(\d+),/gm))
      found[m[1]!] = Number(m[2]);
    for (const m of header.matchAll(/^#define (PX_[A-Z0-9_]+) \(?(\d+)(?: \* (\d+))?\)?/gm)) {
      found[m[1]!] = Number(m[2]) * (m[3] ? Number(m[3]) : 1);
    }
    expect(found).toEqual(CONSTANTS);
  });
});

describeIfAvailable('the committed BPF object', bpftool, () => {
  it('lays out the structs it uses as the decoder reads them', () => {
    const { structs } = btfLayouts(OBJECT);
    for (const name of ['px_config', 'px_event_header', 'px_data_event', 'px_infer_buf']) {
      expect({ name, ...structs.get(name) }).toEqual({ name, ...STRUCTS[name] });
    }
  });

  it('holds px_config alone at the start of .rodata, where the loader writes it', () => {
    const { types } = btfLayouts(OBJECT);
    const rodata = types.find((t) => t.kind === 'DATASEC' && t.name === '.rodata')!;
    expect(rodata.vars).toEqual([
      expect.objectContaining({ offset: 0, size: STRUCTS.px_config!.size }),
    ]);
  });
});

describeIfAvailable('socket_trace.h compiled for the BPF target', clang ?? bpftool, () => {
  it('lays out every contract struct as the decoder reads them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxgate-layout-'));
    try {
      const src = join(dir, 'probe.c');
      const obj = join(dir, 'probe.o');
      writeFileSync(
        src,
        [
          'typedef unsigned char __u8; typedef unsigned short __u16; typedef unsigned int __u32;',
          'typedef int __s32; typedef unsigned long long __u64;',
          `#include "${HEADER}"`,
          ...Object.keys(STRUCTS).map((name) => `struct ${name} probe_${name};`),
        ].join('\n'),
      );
      execFileSync('clang', ['-g', '-O2', '-target', 'bpf', '-c', src, '-o', obj]);
      const { structs } = btfLayouts(obj);
      expect(Object.fromEntries(structs)).toEqual(STRUCTS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import koffi from './koffi';

/** An opaque libbpf pointer (koffi passes pointers as BigInt). */
export type Ptr = bigint;

/** libbpf's log levels (enum libbpf_print_level). */
export const LIBBPF_WARN = 0;
export const LIBBPF_INFO = 1;
export const LIBBPF_DEBUG = 2;

// An unnamed prototype: koffi's type names are process-wide, and this module may load twice
// in one process (test runners give each file its own module registry).
const PrintFn = koffi.pointer(koffi.proto('int', ['int', 'const char *', 'void *']));

/**
 * The part of the system's libbpf.so.1 (libbpf 1.1 or later) that the agent uses, bound through
 * koffi: nothing to compile, and CO-RE relocation comes from the library the distribution ships.
 */
export interface Libbpf {
  readonly version: string;
  objectOpenFile(path: string): Ptr | null;
  objectLoad(obj: Ptr): number;
  objectClose(obj: Ptr): void;
  objectNextProgram(obj: Ptr, prev: Ptr | null): Ptr | null;
  objectNextMap(obj: Ptr, prev: Ptr | null): Ptr | null;
  programName(prog: Ptr): string;
  programSectionName(prog: Ptr): string;
  /** A uprobe (or return probe) at file offset `offset` of `path`, for every process (pid -1). */
  programAttachUprobe(prog: Ptr, retprobe: boolean, path: string, offset: number): Ptr | null;
  programSetAutoload(prog: Ptr, autoload: boolean): number;
  programFd(prog: Ptr): number;
  programAttach(prog: Ptr): Ptr | null;
  /**
   * Runs a loaded program once on a context of our choosing (BPF_PROG_TEST_RUN); returns the
   * call's error (0 or a negative errno) and the program's return value.
   */
  programTestRun(progFd: number, ctx: Uint8Array): { err: number; retval: number };
  linkDestroy(link: Ptr): number;
  mapName(map: Ptr): string;
  mapFd(map: Ptr): number;
  mapSetMaxEntries(map: Ptr, entries: number): number;
  mapInitialValue(map: Ptr): Uint8Array | undefined;
  mapSetInitialValue(map: Ptr, data: Uint8Array): number;
  mapLookupElem(map: Ptr, key: Uint8Array, value: Uint8Array): number;
  mapUpdateElem(map: Ptr, key: Uint8Array, value: Uint8Array): number;
  numPossibleCpus(): number;
  strerror(err: number): string;
  /** errno as the last call left it. */
  errno(): number;
  /** The C library's mmap of a file descriptor (MAP_FAILED is 2^64 - 1). */
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): Ptr;
  munmap(addr: Ptr, length: number): number;
  pageSize(): number;
  /** Routes libbpf's log lines to `sink` (formatted with the C library's vsnprintf). */
  setPrint(sink: (level: number, line: string) => void): void;
}

/** Loads libbpf.so.1 and libc; throws with the library's own message when one is missing. */
export function loadLibbpf(path = 'libbpf.so.1'): Libbpf {
  const lib = koffi.load(path);
  const libc = koffi.load('libc.so.6');
  const fn = (decl: string) => lib.func(decl);
  const openFile = fn('void *bpf_object__open_file(const char *path, const void *opts)');
  const load = fn('int bpf_object__load(void *obj)');
  const close = fn('void bpf_object__close(void *obj)');
  const nextProgram = fn('void *bpf_object__next_program(const void *obj, void *prog)');
  const nextMap = fn('void *bpf_object__next_map(const void *obj, const void *map)');
  const programName = fn('const char *bpf_program__name(const void *prog)');
  const sectionName = fn('const char *bpf_program__section_name(const void *prog)');
  const setAutoload = fn('int bpf_program__set_autoload(void *prog, bool autoload)');
  const programFd = fn('int bpf_program__fd(const void *prog)');
  const TestRunOpts = koffi.struct({
    sz: 'size_t',
    data_in: 'void *',
    data_out: 'void *',
    data_size_in: 'uint32_t',
    data_size_out: 'uint32_t',
    ctx_in: 'void *',
    ctx_out: 'void *',
    ctx_size_in: 'uint32_t',
    ctx_size_out: 'uint32_t',
    retval: 'uint32_t',
    repeat: 'int',
    duration: 'uint32_t',
    flags: 'uint32_t',
    cpu: 'uint32_t',
    batch_size: 'uint32_t',
  });
  const testRun = lib.func('bpf_prog_test_run_opts', 'int', [
    'int',
    koffi.inout(koffi.pointer(TestRunOpts)),
  ]);
  const attach = fn('void *bpf_program__attach(const void *prog)');
  const attachUprobe = fn(
    'void *bpf_program__attach_uprobe(const void *prog, bool retprobe, int pid, const char *path, size_t offset)',
  );
  const linkDestroy = fn('int bpf_link__destroy(void *link)');
  const mapName = fn('const char *bpf_map__name(const void *map)');
  const mapFd = fn('int bpf_map__fd(const void *map)');
  const setMaxEntries = fn('int bpf_map__set_max_entries(void *map, uint32_t max)');
  const initialValue = fn('void *bpf_map__initial_value(void *map, _Out_ size_t *psize)');
  const setInitialValue = fn(
    'int bpf_map__set_initial_value(void *map, const void *data, size_t size)',
  );
  const lookupElem = fn(
    'int bpf_map__lookup_elem(const void *map, const void *key, size_t key_sz, void *value, size_t value_sz, uint64_t flags)',
  );
  const updateElem = fn(
    'int bpf_map__update_elem(const void *map, const void *key, size_t key_sz, const void *value, size_t value_sz, uint64_t flags)',
  );
  const numCpus = fn('int libbpf_num_possible_cpus(void)');
  const strerror = fn('int libbpf_strerror(int err, void *buf, size_t size)');
  const versionString = fn('const char *libbpf_version_string(void)');
  const setPrint = lib.func('libbpf_set_print', PrintFn, [PrintFn]);
  const vsnprintf = libc.func('int vsnprintf(void *buf, size_t n, const char *fmt, void *ap)');
  const mmap = libc.func(
    'void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)',
  );
  const munmap = libc.func('int munmap(void *addr, size_t length)');
  const sysconf = libc.func('long sysconf(int name)');
  const SC_PAGESIZE = 30;
  let printCb: Ptr | undefined;

  return {
    version: versionString() as string,
    objectOpenFile: (p) => openFile(p, null) as Ptr | null,
    objectLoad: (obj) => load(obj) as number,
    objectClose: (obj) => close(obj),
    objectNextProgram: (obj, prev) => nextProgram(obj, prev) as Ptr | null,
    objectNextMap: (obj, prev) => nextMap(obj, prev) as Ptr | null,
    programName: (prog) => programName(prog) as string,
    programSectionName: (prog) => sectionName(prog) as string,
    programSetAutoload: (prog, autoload) => setAutoload(prog, autoload) as number,
    programFd: (prog) => programFd(prog) as number,
    programTestRun: (progFd, ctx) => {
      const opts = {
        sz: koffi.sizeof(TestRunOpts),
        data_in: null,
        data_out: null,
        data_size_in: 0,
        data_size_out: 0,
        ctx_in: ctx,
        ctx_out: null,
        ctx_size_in: ctx.length,
        ctx_size_out: 0,
        retval: 0,
        repeat: 0,
        duration: 0,
        flags: 0,
        cpu: 0,
        batch_size: 0,
      };
      const err = testRun(progFd, opts) as number;
      return { err, retval: opts.retval };
    },
    programAttach: (prog) => attach(prog) as Ptr | null,
    programAttachUprobe: (prog, retprobe, path, offset) =>
      attachUprobe(prog, retprobe, -1, path, offset) as Ptr | null,
    linkDestroy: (link) => linkDestroy(link) as number,
    mapName: (map) => mapName(map) as string,
    mapFd: (map) => mapFd(map) as number,
    mapSetMaxEntries: (map, n) => setMaxEntries(map, n) as number,
    mapInitialValue: (map) => {
      const size = [0];
      const ptr = initialValue(map, size) as Ptr | null;
      if (!ptr) return undefined;
      return new Uint8Array(koffi.view(ptr, Number(size[0])).slice(0));
    },
    mapSetInitialValue: (map, data) => setInitialValue(map, data, data.length) as number,
    mapLookupElem: (map, key, value) =>
      lookupElem(map, key, key.length, value, value.length, 0) as number,
    mapUpdateElem: (map, key, value) =>
      updateElem(map, key, key.length, value, value.length, 0) as number,
    numPossibleCpus: () => numCpus() as number,
    strerror: (err) => {
      const buf = Buffer.alloc(256);
      strerror(err, buf, buf.length);
      return buf.toString('utf8', 0, Math.max(0, buf.indexOf(0)));
    },
    errno: () => koffi.errno(),
    mmap: (length, prot, flags, fd, offset) => mmap(null, length, prot, flags, fd, offset) as Ptr,
    munmap: (addr, length) => munmap(addr, length) as number,
    pageSize: () => Number(sysconf(SC_PAGESIZE)),
    setPrint: (sink) => {
      const buf = Buffer.alloc(4096);
      const cb = koffi.register((level: number, fmt: string, args: Ptr) => {
        const n = vsnprintf(buf, buf.length, fmt, args) as number;
        const text = buf.toString('utf8', 0, Math.min(Math.max(n, 0), buf.length - 1)).trimEnd();
        if (text) sink(level, text);
        return 0;
      }, PrintFn);
      setPrint(cb);
      if (printCb !== undefined) koffi.unregister(printCb);
      printCb = cb;
    },
  };
}

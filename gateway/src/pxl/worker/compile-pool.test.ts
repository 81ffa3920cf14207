import { httpStatusOf } from '../../api/errors';
import { BUILTIN_SCHEMAS } from '../../../../shared/contract/schemas';
import { PxlError } from '../errors';
import { DEFAULT_LIMITS } from '../execute/limits';
import { COMPILE_HEAP_MB, CompilePool } from './compile-pool';

const request = (script: string) => ({
  script,
  opts: { now: 1_800_000_000_000_000_000n },
  limits: DEFAULT_LIMITS,
  tables: BUILTIN_SCHEMAS,
});
const SMALL = "import px\npx.display(px.DataFrame('http_events').head(2), 'out')";
/** About 900 KB of assignments: seconds of parsing and planning. */
const SLOW = 'x = 1\n'.repeat(150_000);
const forever = () => new AbortController().signal;

describe('CompilePool', () => {
  let pool: CompilePool;
  beforeEach(() => {
    pool = new CompilePool(1, 4);
  });
  afterEach(() => pool.shutdown());

  it('prepares a script in a worker: its statements, and its errors as located PxlErrors', async () => {
    const prepared = await pool.compile(request(SMALL), forever());
    expect(prepared.compiled.tables.map((t) => t.name)).toEqual(['out']);
    expect(prepared.compiled.tables[0]!.sql).toMatch(/^SELECT .* FROM "http_events" AS "t0"/);
    expect(prepared.limits.maxOutputRows).toBe(DEFAULT_LIMITS.maxOutputRows);
    const error = await pool
      .compile(request('import px\npx.display(dff)'), forever())
      .catch((e) => e);
    expect(error).toBeInstanceOf(PxlError);
    expect([error.message, httpStatusOf(error), error.line, error.column]).toEqual([
      'name "dff" is not defined',
      400,
      2,
      12,
    ]);
  });

  it('stops a compile when its signal aborts, and compiles the next script in a new worker', async () => {
    await pool.compile(request(SMALL), forever());
    const reason = new Error('deadline');
    const controller = new AbortController();
    const slow = pool.compile(request(SLOW), controller.signal);
    setTimeout(() => controller.abort(reason), 200);
    const started = Date.now();
    await expect(slow).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2000);
    const next = await pool.compile(request(SMALL), forever());
    expect(next.compiled.tables).toHaveLength(1);
  });

  it('refuses a script whose compile passes the worker heap with a 422, and compiles the next', async () => {
    // 500 strings of up to 800,000 characters, each compared with an equal one (V8 then holds
    // it flat, not as a rope of repeats): more than the worker's heap.
    const script = Array.from(
      { length: 500 },
      (_, i) => `a${i} = '${i} ' * 200000\nb${i} = a${i} == '${i} ' * 200000`,
    ).join('\n');
    const error = await pool.compile(request(script), forever()).catch((e) => e);
    expect(error).toBeInstanceOf(PxlError);
    expect([error.message, httpStatusOf(error)]).toEqual([
      `compiling the script needed more than ${COMPILE_HEAP_MB} MiB and was stopped; make it smaller or simpler`,
      422,
    ]);
    const next = await pool.compile(request(SMALL), forever());
    expect(next.compiled.tables).toHaveLength(1);
  });

  it('gives up waiting when the signal aborts while a worker starts, and keeps that worker', async () => {
    const reason = new Error('deadline');
    await expect(pool.compile(request(SMALL), AbortSignal.abort(reason))).rejects.toBe(reason);
    const next = await pool.compile(request(SMALL), forever());
    expect(next.compiled.tables).toHaveLength(1);
  });
});

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PxlError } from '../errors';
import { RunSlots } from '../execute/run-slots';
import { PreparedScript } from '../prepare';
import { CompileReply, CompileRequest, READY, fromFailure } from './protocol';

/** Heap of one compile worker: past it the worker is stopped and the script refused. */
export const COMPILE_HEAP_MB = 256;
/** Stack of a compile worker: plans are bounded, but checking one recurses along its chain. */
const COMPILE_STACK_MB = 16;

/**
 * Where the worker's code is: the compiled .js beside this file, or, when the gateway runs from
 * its TypeScript sources (the tests do), the .ts file compiled on load by swc (swc-hook.js).
 */
export function workerEntry(): { filename: string; execArgv: string[] } {
  if (!__filename.endsWith('.ts'))
    return { filename: join(__dirname, 'compile-worker.js'), execArgv: [] };
  return {
    filename: join(__dirname, 'compile-worker.ts'),
    execArgv: ['--require', join(__dirname, 'swc-hook.js')],
  };
}

/**
 * Prepares scripts (parse, plan, check, compile) in worker threads, so that no script can hold
 * the event loop: ingest and /healthz go on while a large one compiles. At most `size` compile at
 * once and `queued` wait; a compile still going when the run's signal aborts is stopped by
 * terminating its worker, and a worker that passes its heap is stopped by Node the same way.
 */
export class CompilePool {
  private readonly idle: CompileWorker[] = [];
  private readonly slots: RunSlots;
  private closed = false;

  constructor(size: number, queued: number) {
    this.slots = new RunSlots(size, queued);
  }

  /** Prepares a script in a worker; rejects with `signal.reason` when the signal aborts first. */
  compile(request: CompileRequest, signal: AbortSignal): Promise<PreparedScript> {
    return this.slots.use(async () => {
      const worker = this.idle.pop() ?? new CompileWorker();
      try {
        return await worker.compile(request, signal);
      } finally {
        if (this.closed) {
          worker.stop();
        } else if (worker.alive) {
          this.idle.push(worker);
        } else {
          // A worker stopped at a deadline is replaced now, so the next script need not wait
          // for a thread to start.
          this.idle.push(new CompileWorker());
        }
      }
    }, signal);
  }

  /** Stops the idle workers, and the busy ones as they finish. Safe to call twice. */
  shutdown(): void {
    this.closed = true;
    for (const worker of this.idle.splice(0)) worker.stop();
  }
}

/** One worker thread and the compile it is doing. */
class CompileWorker {
  private readonly worker: Worker;
  /** Settles once the thread has loaded the compiler (or failed to). */
  private readonly ready: Promise<void>;
  private settle: ((reply: CompileReply | Error) => void) | undefined;
  private stopped = false;

  constructor() {
    const entry = workerEntry();
    this.worker = new Worker(entry.filename, {
      execArgv: entry.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: COMPILE_HEAP_MB, stackSizeMb: COMPILE_STACK_MB },
    });
    let started: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // Nobody may be waiting yet: a failure to start is reported to the first compile.
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: CompileReply | typeof READY) => {
      if (message === READY) started();
      else this.settle?.(message);
    });
    this.worker.on('error', (err: Error & { code?: string }) => {
      this.stopped = true;
      const error =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new PxlError(
              `compiling the script needed more than ${COMPILE_HEAP_MB} MiB and was stopped; make it smaller or simpler`,
              undefined,
              'limit-exceeded',
            )
          : err;
      failed(error);
      this.settle?.(error);
    });
    this.worker.on('exit', (code) => {
      this.stopped = true;
      const error = new Error(`the compile worker exited with code ${code}`);
      failed(error);
      this.settle?.(error);
    });
    // An idle worker must not keep the process alive. After the listeners: adding a 'message'
    // listener refs the worker's port again, and a process that never shut its engine down
    // (a test, a CLI command) then never exited.
    this.worker.unref();
  }

  get alive(): boolean {
    return !this.stopped;
  }

  /**
   * Prepares one script. Waiting for the thread to start ends with the signal but leaves the
   * thread starting, for the next script; a compile still going when the signal aborts is
   * stopped with its thread.
   */
  async compile(request: CompileRequest, signal: AbortSignal): Promise<PreparedScript> {
    await untilAborted(this.ready, signal);
    return new Promise<PreparedScript>((resolve, reject) => {
      const abort = () => {
        this.settle = undefined;
        this.stop();
        reject(signal.reason);
      };
      if (signal.aborted) {
        abort();
        return;
      }
      signal.addEventListener('abort', abort, { once: true });
      this.settle = (reply) => {
        this.settle = undefined;
        signal.removeEventListener('abort', abort);
        if (reply instanceof Error) reject(reply);
        else if (reply.ok) resolve(reply.prepared);
        else reject(fromFailure(reply.error));
      };
      this.worker.postMessage(request);
    });
  }

  /** Terminates the thread, whatever it is doing. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    void this.worker.terminate();
  }
}

/** `promise`, or a rejection with the signal's reason when it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

import { UserErrorKind } from '../../common/errors';
import { TableSchema } from '../../../../shared/contract/types';
import { PxlError } from '../errors';
import { PxlLimits } from '../execute/limits';
import { PreparedScript, RunOptions } from '../prepare';

/** What the engine sends a compile worker: one script to prepare, and the schemas it reads. */
export interface CompileRequest {
  readonly script: string;
  readonly opts: RunOptions;
  readonly limits: PxlLimits;
  readonly tables: readonly TableSchema[];
}

/** A failure, as it crosses to the engine: a script's error keeps its kind and location. */
export interface CompileFailure {
  readonly message: string;
  /** Set for a PxlError (the script's fault); unset for the compiler's own failures. */
  readonly kind?: UserErrorKind;
  readonly line?: number;
  readonly column?: number;
}

/** What a compile worker posts once it has loaded the compiler and takes requests. */
export const READY = 'ready';

/** What a compile worker answers. */
export type CompileReply =
  | { readonly ok: true; readonly prepared: PreparedScript }
  | { readonly ok: false; readonly error: CompileFailure };

/** The failure message for an error thrown while preparing a script. */
export function toFailure(err: unknown): CompileFailure {
  if (err instanceof PxlError) {
    return {
      message: err.message,
      kind: err.kind,
      ...(err.line !== undefined ? { line: err.line, column: err.column } : {}),
    };
  }
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

/** The error a failure stands for on the engine's side. */
export function fromFailure(failure: CompileFailure): Error {
  if (failure.kind === undefined)
    return new Error(`compiling the script failed: ${failure.message}`);
  const loc =
    failure.line !== undefined ? { line: failure.line, column: failure.column ?? 1 } : undefined;
  return new PxlError(failure.message, loc, failure.kind);
}

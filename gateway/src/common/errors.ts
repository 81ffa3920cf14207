/**
 * What a caller got wrong. `api/errors.ts` is the one place that turns a kind into an HTTP
 * status; the rest of the gateway throws the named classes below.
 */
export type UserErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'limit-exceeded'
  | 'busy';

/**
 * An error caused by the caller (bad input, unknown names, limits): `invalid` unless a
 * subclass names another kind. Everything else is the gateway's own fault.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly kind: UserErrorKind = 'invalid',
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The caller named something that does not exist. */
export class NotFoundError extends UserError {
  constructor(message: string) {
    super(message, 'not-found');
    this.name = 'NotFoundError';
  }
}

/** The caller asked for something that contradicts what already exists. */
export class ConflictError extends UserError {
  constructor(message: string) {
    super(message, 'conflict');
    this.name = 'ConflictError';
  }
}

/** The caller sent no credentials, or ones the gateway does not know. */
export class UnauthorizedError extends UserError {
  constructor(message: string) {
    super(message, 'unauthorized');
    this.name = 'UnauthorizedError';
  }
}

/** The caller is known but may not do this (its token lacks the scope the route needs). */
export class ForbiddenError extends UserError {
  constructor(message: string) {
    super(message, 'forbidden');
    this.name = 'ForbiddenError';
  }
}

/** The caller sent more than a limit allows in one request (a body, a batch, a stream). */
export class TooLargeError extends UserError {
  constructor(message: string) {
    super(message, 'too-large');
    this.name = 'TooLargeError';
  }
}

/** The caller's work would pass a limit of the gateway (a table's columns, a query's memory). */
export class LimitExceededError extends UserError {
  constructor(message: string) {
    super(message, 'limit-exceeded');
    this.name = 'LimitExceededError';
  }
}

/** The gateway is at capacity for this kind of request; the caller may try again later. */
export class BusyError extends UserError {
  constructor(message: string) {
    super(message, 'busy');
    this.name = 'BusyError';
  }
}

/**
 * An error caused by the caller (bad input, unknown names, limits). The API maps it to its
 * HTTP status; everything else is the gateway's own fault and becomes a 500.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status: number = 400,
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
    super(message, 404);
    this.name = 'NotFoundError';
  }
}

/** The caller asked for something that contradicts what already exists. */
export class ConflictError extends UserError {
  constructor(message: string) {
    super(message, 409);
    this.name = 'ConflictError';
  }
}

/** The caller sent no credentials, or ones the gateway does not know. */
export class UnauthorizedError extends UserError {
  constructor(message: string) {
    super(message, 401);
    this.name = 'UnauthorizedError';
  }
}

/** The caller is known but may not do this (its token lacks the scope the route needs). */
export class ForbiddenError extends UserError {
  constructor(message: string) {
    super(message, 403);
    this.name = 'ForbiddenError';
  }
}

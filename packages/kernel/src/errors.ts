/** Typed errors that every layer throws and the HTTP kit turns into the TMF630 Error body. */
export type ErrorKind =
  | 'badRequest'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'methodNotAllowed'
  | 'conflict'
  | 'preconditionFailed'
  | 'payloadTooLarge'
  | 'unsupportedMediaType'
  | 'unprocessable'
  | 'tooManyRequests'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorKind, number> = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  conflict: 409,
  preconditionFailed: 412,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  unprocessable: 422,
  tooManyRequests: 429,
  unavailable: 503,
  internal: 500,
};

const reasonOf: Record<ErrorKind, string> = {
  badRequest: 'Bad Request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  notFound: 'Not Found',
  methodNotAllowed: 'Method Not Allowed',
  conflict: 'Conflict',
  preconditionFailed: 'Precondition Failed',
  payloadTooLarge: 'Payload Too Large',
  unsupportedMediaType: 'Unsupported Media Type',
  unprocessable: 'Unprocessable Entity',
  tooManyRequests: 'Too Many Requests',
  unavailable: 'Service Unavailable',
  internal: 'Internal Server Error',
};

export interface OperonErrorOptions {
  /** Dotted path of the attribute at fault, e.g. `productOfferingPrice[0].price`. */
  field?: string;
  /** Short application code; defaults to the HTTP status. */
  code?: string;
  reason?: string;
  /** Extra headers the HTTP layer must send with the error (e.g. Retry-After). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class OperonError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly code: string;
  readonly reason: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(kind: ErrorKind, message: string, options: OperonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OperonError';
    this.kind = kind;
    this.status = statusOf[kind];
    this.code = options.code ?? String(this.status);
    this.reason = options.reason ?? reasonOf[kind];
    this.field = options.field;
    this.headers = options.headers;
  }
}

export const badRequest = (message: string, field?: string) =>
  new OperonError('badRequest', message, field === undefined ? {} : { field });
export const notFound = (what: string, id: string) =>
  new OperonError('notFound', `${what} with id ${id} not found`);
export const conflict = (message: string) => new OperonError('conflict', message);
export const preconditionFailed = (message: string) => new OperonError('preconditionFailed', message);
export const unprocessable = (message: string, field?: string) =>
  new OperonError('unprocessable', message, field === undefined ? {} : { field });

export function isOperonError(e: unknown): e is OperonError {
  return e instanceof OperonError;
}

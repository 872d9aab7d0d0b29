/** The Open API response envelope and its documented error codes. */
export const ERRMSG: Record<number, string> = {
  [-2]: 'INTERNAL SERVER ERROR',
  [-1]: 'FAILURE',
  0: 'SUCCESS',
  10001: 'INTERFACE NOT EXISTED',
  10004: 'TOKEN EXPIRED',
  10005: 'ACCESS DENIED',
  40001: 'PARAMETER SYNTAX ERROR',
  40002: 'PARAMETER ERROR',
  40003: 'DUPLICATE KEY VALUE',
  60001: 'DATA NOT FOUND',
  60002: 'MAX LIMITATION EXCEEDED',
  70004: 'ACCOUNT IP BLOCKED',
  70082: 'OVERLOAD_TASK_RUNNING',
  70084: 'ACTION FORBIDDEN',
  70091: 'CONNECTION_RELATION_EXISTED',
  70093: 'PHONEBOOK_NOT_EXISTED',
  70120: 'ORGANIZATION DISABLED',
  70128: 'CONTACTS_NOT_EXISTED',
};

export interface InvalidParam {
  field: string;
  value?: unknown;
  validation_type?: string;
}

export interface DuplicateField {
  field: string;
  value: string;
  external_source: string;
  external_source_name: string;
}

/** Thrown by handlers; rendered as `{errcode, errmsg, ...extra}`. */
export class ApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly extra: Record<string, unknown> = {},
    readonly httpStatus?: number,
  ) {
    super(ERRMSG[errcode] ?? 'FAILURE');
  }
}

export function invalidParams(errcode: 40001 | 40002, params: InvalidParam[]): ApiError {
  return new ApiError(errcode, { invalid_param_list: params });
}

export function required(field: string): ApiError {
  return invalidParams(40002, [{ field, validation_type: 'required' }]);
}

export function invalid(field: string, value: unknown): ApiError {
  return invalidParams(40002, [{ field, value }]);
}

export function syntax(field: string, value: unknown): ApiError {
  return invalidParams(40001, [{ field, value }]);
}

export function envelope(errcode: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { errcode, errmsg: ERRMSG[errcode] ?? 'FAILURE', ...extra };
}

/** HTTP status used when `errorHttpStatus` is 'mapped'. */
export function mappedHttpStatus(errcode: number): number {
  if (errcode === 0) return 200;
  if (errcode === -2) return 500;
  if (errcode === 10004) return 401;
  if (errcode === 10005 || errcode === 70004 || errcode === 70087) return 403;
  if (errcode === 10001 || errcode === 60001) return 404;
  if (errcode === 70082) return 503;
  if (errcode >= 40001 && errcode <= 40004) return 400;
  return 409;
}

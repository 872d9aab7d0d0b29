/** A control or tenant operation that cannot be done; `status` is the HTTP status it maps to. */
export class TenantError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

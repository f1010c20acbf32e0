/** A failed service call as the renderer shows it: what happened, what to do. */
import type { ServiceError } from '../../src/contracts/ipc';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly hint: string;
  readonly detail: string | undefined;
  constructor(error: ServiceError) {
    super(error.message);
    this.code = error.code;
    this.hint = error.hint;
    this.detail = error.detail;
  }
}

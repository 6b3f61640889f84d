import { OpsError } from '../../lib/errors.ts';

/** The event itself is wrong (unknown payment, no handler): no retry can fix it; DLQ now. */
export class UnprocessableEventError extends OpsError {
  constructor(message: string) {
    super(message, { code: 'UNPROCESSABLE_EVENT', retriable: false });
  }
}

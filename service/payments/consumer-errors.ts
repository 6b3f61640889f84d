import { OpsError } from '../../lib/index.ts';

/** The event itself is wrong (unknown payment, no handler): no retry can fix it; DLQ now. */
export class UnprocessableEventError extends OpsError {
  constructor(message: string) {
    super(message, { code: 'UNPROCESSABLE_EVENT', retriable: false });
  }
}

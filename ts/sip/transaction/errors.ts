// Errors of the transaction layer. Network input never throws (it becomes a TU event: `rejected`,
// `strayResponse`); only misuse by the TU or the owner's builders does, with a stable `reason`.

import { RtcgateError } from '../../errors.js';

export type TransactionUsageReason =
  | 'ack-not-a-transaction' // sendRequest with ACK: ACK for 2xx goes straight to the transport (§17.1.1.3)
  | 'bad-branch' // no branch, or no magic cookie (§8.1.1.7): we never create RFC 2543 transactions
  | 'cseq-method' // request method differs from the CSeq method
  | 'duplicate' // a client transaction with this branch and method exists
  | 'unknown-transaction' // the id is not (or no longer) a live transaction; check `has(id)`
  | 'wrong-side' // a response on a client transaction, or CANCEL of a server/non-INVITE one
  | 'bad-status' // status outside 100–699
  | 'bad-builder'; // a builder returned a message the transaction cannot use

export class TransactionUsageError extends RtcgateError {
  readonly code = 'ERR_SIP_TRANSACTION_USAGE';
  constructor(
    readonly reason: TransactionUsageReason,
    detail: string,
  ) {
    super(`SIP transaction layer misuse (${reason}): ${detail}`);
  }
}

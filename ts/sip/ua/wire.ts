// The transaction layer's structural view of our message model, and the three messages the layer
// originates (MessageBuilders): ACK for non-2xx, 100 Trying, CANCEL.

import { createResponse, type SipRequest, type SipResponse, type Via } from '../message/index.js';
import type { MessageBuilders, SipRequestLike, SipResponseLike, TransactionTypes } from '../transaction/index.js';
import type { SipPeer } from './types.js';

function topBranch(via: readonly Via[]): string | undefined {
  const b = via[0]?.params.get('branch');
  return b === null ? undefined : b;
}

export class TxRequest implements SipRequestLike {
  constructor(readonly msg: SipRequest) {}
  get method(): string {
    return this.msg.method;
  }
  get branch(): string | undefined {
    return topBranch(this.msg.via);
  }
  get sentBy(): string {
    const v = this.msg.via[0];
    if (v === undefined) return '';
    return v.port === undefined ? v.host : `${v.host}:${v.port}`;
  }
  get cseqMethod(): string {
    return this.msg.cseq.method;
  }
}

export class TxResponse implements SipResponseLike {
  constructor(readonly msg: SipResponse) {}
  get status(): number {
    return this.msg.status;
  }
  get branch(): string | undefined {
    return topBranch(this.msg.via);
  }
  get cseqMethod(): string {
    return this.msg.cseq.method;
  }
}

export interface UaTypes extends TransactionTypes {
  readonly request: TxRequest;
  readonly response: TxResponse;
  readonly peer: SipPeer;
}

function routesOf(req: SipRequest): SipRequest['headers'] {
  return req.headers.filter((h) => h.kind === 'route' && h.name === 'Route').map((h) => structuredClone(h));
}

/** ACK for a 300–699 response (RFC 3261 §17.1.1.3). */
export function buildNonSuccessAck(invite: SipRequest, response: SipResponse): SipRequest {
  const top = invite.via[0];
  return {
    type: 'request',
    method: 'ACK',
    uri: structuredClone(invite.uri),
    via: top === undefined ? [] : [structuredClone(top)],
    from: structuredClone(invite.from),
    to: structuredClone(response.to),
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'ACK' },
    maxForwards: 70,
    headers: routesOf(invite),
    body: new Uint8Array(0),
  };
}

/** CANCEL for an INVITE (RFC 3261 §9.1). */
export function buildCancel(invite: SipRequest): SipRequest {
  const top = invite.via[0];
  return {
    type: 'request',
    method: 'CANCEL',
    uri: structuredClone(invite.uri),
    via: top === undefined ? [] : [structuredClone(top)],
    from: structuredClone(invite.from),
    to: structuredClone(invite.to),
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'CANCEL' },
    maxForwards: 70,
    headers: routesOf(invite),
    body: new Uint8Array(0),
  };
}

export const uaBuilders: MessageBuilders<UaTypes> = {
  ack: (invite, response) => new TxRequest(buildNonSuccessAck(invite.msg, response.msg)),
  trying: (invite) => new TxResponse(createResponse(invite.msg, 100)),
  cancel: (invite) => new TxRequest(buildCancel(invite.msg)),
};

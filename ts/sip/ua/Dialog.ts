// Dialog state (RFC 3261 §12): ids, route set, remote target, CSeq spaces, and the requests built
// inside the dialog (§12.2.1.1: loose and strict routing).

import {
  contacts,
  tagOf,
  type NameAddr,
  type SipHeader,
  type SipRequest,
  type SipResponse,
  type Uri,
} from '../message/index.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';
export type DialogRole = 'uac' | 'uas';

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

function firstContactUri(msg: SipRequest | SipResponse): Uri | undefined {
  for (const c of contacts(msg)) if (c !== '*') return c.uri;
  return undefined;
}

function recordRoutes(msg: SipRequest | SipResponse): NameAddr[] {
  const out: NameAddr[] = [];
  for (const h of msg.headers) if (h.kind === 'route' && h.name === 'Record-Route') out.push(structuredClone(h.value));
  return out;
}

function withTag(na: NameAddr, tag: string): NameAddr {
  const c = structuredClone(na);
  c.params.set('tag', tag);
  return c;
}

export interface DialogRequestOptions {
  /** Default: the next local CSeq. ACK and CANCEL reuse the INVITE's. */
  cseq?: number;
  headers?: SipHeader[];
  body?: Uint8Array;
}

export class Dialog {
  state: DialogState;
  remoteTarget: Uri;
  routeSet: NameAddr[];
  /** Last CSeq number we sent; the next request uses localSeq + 1. */
  localSeq: number;
  remoteSeq: number | undefined;

  private constructor(
    readonly role: DialogRole,
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    readonly local: NameAddr,
    readonly remote: NameAddr,
    init: { state: DialogState; remoteTarget: Uri; routeSet: NameAddr[]; localSeq: number; remoteSeq: number | undefined },
  ) {
    this.state = init.state;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * UAC side (§12.1.2), from a 101–299 response with a To tag to our INVITE; undefined when the
   * response cannot create a dialog (no tag).
   */
  static asUac(invite: SipRequest, res: SipResponse): Dialog | undefined {
    const remoteTag = tagOf(res.to);
    const localTag = tagOf(invite.from);
    if (remoteTag === undefined || localTag === undefined) return undefined;
    return new Dialog('uac', invite.callId, localTag, remoteTag, structuredClone(invite.from), structuredClone(res.to), {
      state: res.status >= 200 ? 'confirmed' : 'early',
      remoteTarget: firstContactUri(res) ?? invite.uri,
      routeSet: recordRoutes(res).reverse(),
      localSeq: invite.cseq.seq,
      remoteSeq: undefined,
    });
  }

  /** UAS side (§12.1.1), when we answer `invite` with a 101–299 carrying `localTag`. */
  static asUas(invite: SipRequest, localTag: string, state: DialogState): Dialog | undefined {
    const remoteTag = tagOf(invite.from);
    if (remoteTag === undefined) return undefined;
    const target = firstContactUri(invite);
    if (target === undefined) return undefined;
    return new Dialog('uas', invite.callId, localTag, remoteTag, withTag(invite.to, localTag), structuredClone(invite.from), {
      state,
      remoteTarget: target,
      routeSet: recordRoutes(invite),
      localSeq: 0,
      remoteSeq: invite.cseq.seq,
    });
  }

  /** A response to our INVITE on this dialog: a 2xx confirms it and fixes the route set (§13.2.2.4). */
  onUacResponse(res: SipResponse): void {
    if (res.status >= 200 && res.status < 300 && this.state === 'early') {
      this.state = 'confirmed';
      this.routeSet = recordRoutes(res).reverse();
    }
    this.refreshTarget(res);
  }

  /** Target refresh (§12.2): a Contact in a re-INVITE / UPDATE or its 2xx replaces the remote target. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const uri = firstContactUri(msg);
    if (uri !== undefined) this.remoteTarget = uri;
  }

  /**
   * Checks and records the CSeq of a request received in the dialog (§12.2.2): lower than the last
   * one means out of order (answer 500). ACK and CANCEL carry the INVITE's number and are not checked.
   */
  acceptRemoteCseq(req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (this.remoteSeq !== undefined && req.cseq.seq <= this.remoteSeq) return false;
    this.remoteSeq = req.cseq.seq;
    return true;
  }

  nextCseq(): number {
    if (this.localSeq === 0) this.localSeq = 1 + Math.floor(Math.random() * 1000);
    else this.localSeq++;
    return this.localSeq;
  }

  /** A request inside the dialog (§12.2.1.1), without Via; the caller adds Contact when the method needs it. */
  createRequest(method: string, opts: DialogRequestOptions = {}): SipRequest {
    const seq = opts.cseq ?? this.nextCseq();
    let uri: Uri = structuredClone(this.remoteTarget);
    let routes = this.routeSet.map((r) => structuredClone(r));
    const first = routes[0];
    if (first !== undefined && !(first.uri.type === 'sip' && first.uri.params.has('lr'))) {
      // Strict routing: the first route becomes the Request-URI, the remote target the last Route.
      uri = first.uri;
      routes = [...routes.slice(1), { displayName: undefined, uri: structuredClone(this.remoteTarget), params: new Map() }];
    }
    const headers: SipHeader[] = routes.map((value) => ({ kind: 'route', name: 'Route', value }));
    if (opts.headers !== undefined) headers.push(...opts.headers);
    return {
      type: 'request',
      method,
      uri,
      via: [], // SipStack.send adds ours
      from: structuredClone(this.local),
      to: structuredClone(this.remote),
      callId: this.callId,
      cseq: { seq, method },
      maxForwards: 70,
      headers,
      body: opts.body ?? new Uint8Array(0),
    };
  }
}

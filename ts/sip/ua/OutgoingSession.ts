// An outgoing call (UAC, RFC 3261 §13.2): INVITE, provisional responses and early dialogs, the
// first 2xx wins (later 2xx from other forks are ACKed and BYEd, §13.2.2.4), CANCEL, one digest
// retry per challenge (new CSeq, same Call-ID), one 422 retry (RFC 4028 §7.4).

import { formatAuth } from '../message/headers.js';
import { formatUri, newCallId, newTag, type NameAddr, type SipHeader, type SipRequest, type SipResponse, type Uri } from '../message/index.js';
import { Dialog } from './Dialog.js';
import { SUPPORTED_OPTIONS, sdpBody, sdpOf, tokens, ALLOWED_METHODS } from './headers.js';
import { InviteSession } from './InviteSession.js';
import { retryIntervalAfter422, uacRequestHeaders, uacResult } from './sessionTimer.js';
import type { ClientOutcome, OutgoingRequest, SipStack } from './SipStack.js';
import type { DigestAttempt } from '../auth/index.js';

export interface InviteOptions {
  /** Request-URI and To. */
  readonly target: Uri;
  /** From (a tag is added). */
  readonly from: NameAddr;
  /** Our offer; undefined sends an offerless INVITE (3pcc: offer in the 200, answer in the ACK). */
  readonly sdp?: string;
  /** Extra headers (context data, service type). */
  readonly headers?: readonly SipHeader[];
  /** User part of our Contact; default the From user. */
  readonly contactUser?: string;
}

export class OutgoingSession extends InviteSession {
  readonly callId: string;
  readonly localTag: string;
  #request: SipRequest;
  #out: OutgoingRequest | undefined;
  #auth: DigestAttempt | undefined;
  #retried422 = false;
  #cancelled = false;
  #answered = false;
  readonly #early = new Map<string, Dialog>();

  constructor(stack: SipStack, readonly options: InviteOptions) {
    super(stack, options.contactUser ?? (options.from.uri.type === 'sip' ? options.from.uri.user : undefined));
    this.callId = newCallId();
    this.localTag = newTag();
    this.localSdp = options.sdp;
    const from = structuredClone(options.from);
    from.params.set('tag', this.localTag);
    const b = sdpBody(options.sdp);
    const cfg = stack.sessionTimer;
    const req: SipRequest = {
      type: 'request',
      method: 'INVITE',
      uri: structuredClone(options.target),
      via: [],
      from,
      to: { displayName: undefined, uri: structuredClone(options.target), params: new Map() },
      callId: this.callId,
      cseq: { seq: 1, method: 'INVITE' },
      maxForwards: 70,
      headers: [
        tokens('Allow', ALLOWED_METHODS),
        tokens('Supported', SUPPORTED_OPTIONS),
        ...(cfg !== undefined ? uacRequestHeaders(cfg.expires, cfg.minSe) : []),
        ...(options.headers ?? []).map((h) => structuredClone(h)),
        ...b.headers,
      ],
      body: b.body,
    };
    req.headers.unshift(stack.contactHeader(this.contactUser, stack.transportFor(req)));
    this.#request = req;
    stack.defer(() => this.sendInvite());
  }

  get request(): SipRequest {
    return this.#request;
  }

  /** CANCEL before the answer (RFC 3261 §9.1), or BYE after it. */
  hangup(): void {
    if (this.state === 'confirmed') {
      this.bye();
      return;
    }
    if (this.state === 'terminated') return;
    this.#cancelled = true;
    this.#out?.cancel();
  }

  /** For an offerless INVITE: the answer to the offer of the 2xx, carried by the ACK. */
  ack(sdp: string): void {
    if (this.#pendingAck === undefined) return;
    const cseq = this.#pendingAck;
    this.#pendingAck = undefined;
    this.localSdp = sdp;
    this.sendAck(cseq, sdp);
  }

  #pendingAck: number | undefined;

  protected contactTransport(): 'udp' | 'tcp' | 'tls' {
    return this.stack.transportFor(this.#request);
  }

  private sendInvite(): void {
    if (this.state === 'terminated') return;
    const req = this.#request;
    this.#out = this.stack.send(req, (o) => this.onOutcome(req, o));
    if (this.#cancelled) this.#out.cancel();
  }

  /** A new INVITE with CSeq+1, same Call-ID and From tag, for an auth or 422 retry. */
  private retry(replace: (headers: SipHeader[]) => SipHeader[]): void {
    const prev = this.#request;
    const next: SipRequest = {
      ...prev,
      via: [],
      cseq: { seq: prev.cseq.seq + 1, method: 'INVITE' },
      headers: replace(prev.headers.filter((h) => !(h.kind === 'raw' && h.name === 'User-Agent')).map((h) => structuredClone(h))),
    };
    this.#request = next;
    this.sendInvite();
  }

  private onOutcome(req: SipRequest, o: ClientOutcome): void {
    if (req !== this.#request && o.type === 'response' && o.response.status >= 200 && o.response.status < 300) {
      this.on2xx(req, o.response); // a late 2xx to an earlier attempt still makes a dialog
      return;
    }
    if (req !== this.#request) return;
    if (o.type === 'failure') {
      this.fail(o.status, o.reason === 'timeout' ? 'Request Timeout' : 'Service Unavailable');
      return;
    }
    const res = o.response;
    if (res.status < 200) this.onProvisional(req, res);
    else if (res.status < 300) this.on2xx(req, res);
    else this.onFailure(req, res);
  }

  private onProvisional(req: SipRequest, res: SipResponse): void {
    if (this.state === 'terminated' || this.#answered) return;
    if (res.status > 100) {
      const tag = res.to.params.get('tag');
      if (typeof tag === 'string' && !this.#early.has(tag)) {
        const d = Dialog.asUac(req, res);
        if (d !== undefined) {
          this.#early.set(tag, d);
          this.stack.addDialog(d.key, this);
        }
      }
      if (this.state === 'calling') this.state = 'early';
    }
    const sdp = sdpOf(res);
    if (sdp !== undefined) this.remoteSdp = sdp;
    this.emit('provisional', res.status, res.reason, sdp);
  }

  private on2xx(req: SipRequest, res: SipResponse): void {
    const tag = res.to.params.get('tag');
    if (typeof tag !== 'string') return;
    if (this.dialog !== undefined) {
      if (this.dialog.remoteTag === tag) {
        if (res.cseq.seq === this.#pendingAck) return; // the owner has not answered yet
        this.reAck(res);
        return;
      }
      this.byeStray(req, res);
      return;
    }
    const d = this.#early.get(tag) ?? Dialog.asUac(req, res);
    if (d === undefined) return;
    this.#early.delete(tag);
    for (const other of this.#early.values()) this.stack.removeDialog(other.key, this);
    this.#early.clear();
    d.onUacResponse(res);
    this.dialog = d;
    this.stack.addDialog(d.key, this);
    this.learnAllow(res);
    this.#answered = true;
    const sdp = sdpOf(res);
    if (sdp !== undefined) this.remoteSdp = sdp;
    if (this.#cancelled || this.state === 'terminated') {
      this.sendAck(res.cseq.seq, undefined);
      this.state = 'confirmed';
      this.end('cancelled', true);
      return;
    }
    this.state = 'confirmed';
    if (req.body.length === 0 && sdp !== undefined) {
      this.#pendingAck = res.cseq.seq; // 3pcc: the owner answers with ack(sdp)
    } else {
      this.sendAck(res.cseq.seq, undefined);
    }
    this.applyTimer(uacResult(res), true);
    this.emit('answered', sdp);
  }

  /** A 2xx from a second fork: ACK it and BYE it (§13.2.2.4). */
  private byeStray(req: SipRequest, res: SipResponse): void {
    const d = Dialog.asUac(req, res);
    if (d === undefined) return;
    d.onUacResponse(res);
    const ack = d.createRequest('ACK', { cseq: res.cseq.seq });
    this.stack.sendAck(ack, true);
    this.stack.send(d.createRequest('BYE'), () => undefined);
  }

  private onFailure(req: SipRequest, res: SipResponse): void {
    if (this.#answered || this.state === 'terminated') return;
    if ((res.status === 401 || res.status === 407) && !this.#cancelled && this.authRetry(req, res)) return;
    if (res.status === 422 && !this.#retried422 && !this.#cancelled) {
      const cfg = this.stack.sessionTimer;
      const interval = cfg !== undefined ? retryIntervalAfter422(res, cfg) : undefined;
      if (interval !== undefined && cfg !== undefined) {
        this.#retried422 = true;
        this.retry((hs) => [...hs.filter((h) => h.kind !== 'session-expires' && h.kind !== 'min-se'), ...uacRequestHeaders(interval, interval)]);
        return;
      }
    }
    this.fail(res.status, res.reason);
  }

  private authRetry(req: SipRequest, res: SipResponse): boolean {
    const user = this.options.from.uri.type === 'sip' ? this.options.from.uri.user : undefined;
    const client = user !== undefined ? this.stack.digestFor(user) : undefined;
    if (client === undefined) return false;
    const name = res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const values = res.headers.filter((h) => h.kind === 'auth' && h.name === name).map((h) => (h.kind === 'auth' ? formatAuth(h.value) : ''));
    this.#auth ??= client.start({ method: 'INVITE', uri: formatUri(req.uri), body: req.body });
    const outcome = this.#auth.onChallenge(res.status === 401 ? 401 : 407, values);
    if (outcome.kind !== 'retry') return false;
    this.retry((hs) => [
      ...hs.filter((h) => h.name !== 'Authorization' && h.name !== 'Proxy-Authorization'),
      ...outcome.headers.map((a): SipHeader => ({ kind: 'raw', name: a.name, value: a.value })),
    ]);
    return true;
  }

  private fail(status: number, reason: string): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.cleanup();
    for (const d of this.#early.values()) this.stack.removeDialog(d.key, this);
    this.#early.clear();
    this.emit('failed', status, reason);
  }
}

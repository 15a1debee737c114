// What happens inside an established SIP call: hold and resume from either side (RFC 3264
// §8.4 re-INVITE with sendonly/recvonly/inactive; the browser's DTLS session is untouched, only
// the SIP leg is renegotiated) and mid-call user data (SIP INFO, x-www-form-urlencoded).
import type { RtpEndpoint } from '../engine/Engine.js';
import { buildSipAnswer, buildSipOffer, negotiateSipAnswer } from '../sdp/sip/build.js';
import { parseSipSdp } from '../sdp/sip/parse.js';
import type { CodecPolicy as SipCodecPolicy, MediaDirection, SipNegotiatedAudio } from '../sdp/sip/types.js';
import type { NameAddr } from '../sip/message/index.js';
import type { InviteSession } from '../sip/ua/index.js';
import type { UserData } from '../signaling/protocol.js';

export const USER_DATA_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface SipMidCallOptions {
  session: InviteSession;
  rtp: RtpEndpoint;
  mediaAddress: string;
  policy: SipCodecPolicy;
  /** What the SIP leg negotiated at set-up. */
  negotiated: SipNegotiatedAudio;
  onRemoteHold: (held: boolean) => void;
  onData: (data: UserData) => void;
  /** The far end reported (NOTIFY) that the transfer connected: our leg should end. */
  onTransferred: () => void;
}

export class SipMidCall {
  #negotiated: SipNegotiatedAudio;
  #session = { id: String(Date.now()), version: 2 };
  #localHold = false;
  #remoteHold = false;

  constructor(private readonly o: SipMidCallOptions) {
    this.#negotiated = o.negotiated;
    o.session.on('reinvite', (re) => {
      try {
        if (re.offer === undefined) {
          // Offerless re-INVITE: offer what we have now; the ACK brings the answer.
          re.accept(this.#offer(this.#localHold ? 'sendonly' : 'sendrecv'));
          return;
        }
        const offer = parseSipSdp(re.offer);
        const { sdp, negotiated } = buildSipAnswer(offer, o.policy, this.#local(this.#localHold ? 'sendonly' : 'sendrecv'), {
          prefer: [this.#negotiated.codec.name],
        });
        this.#apply(negotiated);
        re.accept(sdp);
        const held = negotiated.direction === 'recvonly' || negotiated.direction === 'inactive';
        if (held !== this.#remoteHold) {
          this.#remoteHold = held;
          o.onRemoteHold(held);
        }
      } catch {
        re.reject(488);
      }
    });
    o.session.on('transferProgress', (status) => {
      // RFC 5589 §6: after the transfer target answered, the transferor hangs up.
      if (status >= 200 && status < 300) o.onTransferred();
    });
    o.session.on('info', (info) => {
      if (info.contentType?.toLowerCase().startsWith(USER_DATA_CONTENT_TYPE) !== true) return;
      o.onData(Object.fromEntries(new URLSearchParams(Buffer.from(info.body).toString('utf8'))));
    });
  }

  /** Puts the SIP side on hold (our re-INVITE offers sendonly) or resumes it (sendrecv). */
  async setHold(hold: boolean): Promise<void> {
    const result = await this.o.session.reinvite(this.#offer(hold ? 'sendonly' : 'sendrecv'));
    if (!result.ok) throw new Error(`re-INVITE refused: ${result.status} ${result.reason}`);
    this.#localHold = hold;
    if (result.sdp !== undefined) this.#apply(negotiateSipAnswer(this.#lastOffer!, parseSipSdp(result.sdp), hold ? 'sendonly' : 'sendrecv'));
  }

  /** Blind transfer: asks the far end to call `target` (REFER); resolves once it accepted (2xx). */
  async transfer(target: NameAddr): Promise<void> {
    const status = await this.o.session.refer(target);
    if (status < 200 || status >= 300) throw new Error(`REFER refused: ${status}`);
  }

  async sendData(data: UserData): Promise<void> {
    const status = await this.o.session.info(new URLSearchParams(data).toString(), USER_DATA_CONTENT_TYPE);
    if (status < 200 || status >= 300) throw new Error(`INFO refused: ${status}`);
  }

  #lastOffer: ReturnType<typeof buildSipOffer> | undefined;

  #offer(direction: MediaDirection): string {
    const c = this.#negotiated.codec;
    this.#lastOffer = buildSipOffer(this.#local(direction), this.o.policy, {
      webCodecs: [{ payloadType: c.payloadType, name: c.name, clockRate: c.clockRate, channels: c.channels ?? 1, fmtp: c.fmtp ?? '' }],
    });
    return this.#lastOffer.sdp;
  }

  #local(direction: MediaDirection): Parameters<typeof buildSipOffer>[0] {
    this.#session.version += 1;
    return { address: this.o.mediaAddress, port: this.o.rtp.port, rtcpPort: this.o.rtp.rtcpPort, direction, session: { ...this.#session } };
  }

  /** A re-negotiation may move the peer's media (new address) — the codec stays as bridged. */
  #apply(negotiated: SipNegotiatedAudio): void {
    this.#negotiated = negotiated;
    const r = negotiated.remote;
    if (r.address !== '0.0.0.0' && r.port !== 0) this.o.rtp.setRemote(r.address, r.port, r.rtcpMux ? undefined : r.rtcpPort);
  }
}

// SIP transport layer (RFC 3261 §18, RFC 3581): UDP, TCP and TLS sockets for the sans-IO SIP core.
export {
  SipTransport,
  type SipTransportOptions,
  type SipTransportTlsOptions,
  type SipTransportEvents,
  type SipTransportStats,
  type ConnectionCloseReason,
} from './SipTransport.js';
export { SipPortInUseError, SipListenError, SipSendError, type SipSendFailure } from './errors.js';
export { ingest, stampVia, responseTarget, normalizeAddress, sameAddress, type IngestResult, type IngestOptions } from './routing.js';
export { defaultPort, isReliable, type SipPeer, type SipTransportKind } from './types.js';

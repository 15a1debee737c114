// SIP user-agent core: stack, dialogs, INVITE sessions, registrations.
export * from './types.js';
export { systemClock, FakeClock } from './clock.js';
export { SipStack, OutgoingRequest, RTCGATE_VERSION, type SipStackOptions, type SipStackEvents, type ClientOutcome, type ClientFailure, type ClientListener, type DialogUser } from './SipStack.js';
export { Dialog, dialogKey, type DialogState, type DialogRole } from './Dialog.js';
export { InviteSession } from './InviteSession.js';
export { OutgoingSession, type InviteOptions } from './OutgoingSession.js';
export { IncomingSession } from './IncomingSession.js';
export { Registration, DEFAULT_REGISTER_EXPIRES, type RegistrationOptions, type RegistrationEvents, type RegistrationState } from './Registration.js';
export type * from './events.js';
export { DEFAULT_SESSION_TIMER, type SessionTimerConfig } from './sessionTimer.js';
export { parseSipProxy, dnsResolver, ProxySelector, type ProxyAddress, type HostResolver } from './nextHop.js';
export { buildCancel, buildNonSuccessAck, uaBuilders } from './wire.js';

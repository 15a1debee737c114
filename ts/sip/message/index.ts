// SIP message layer: model, parser, serializer, builders and stream framing.
export type * from './types.js';
export { parseMessage, isKeepAlive, type ParseOptions } from './parse.js';
export {
  serialize,
  createRequest,
  createResponse,
  responseToFailure,
  reasonPhrase,
  newBranch,
  newTag,
  newCallId,
  isRfc3261Branch,
  BRANCH_MAGIC_COOKIE,
  headersOfKind,
  headersNamed,
  tokenList,
  contacts,
  tagOf,
  branchOf,
  type RequestInit,
  type ResponseOptions,
} from './serialize.js';
export { parseUri, formatUri, sipUri, hostType, bareHost, type HostType, type UriParseResult } from './uri.js';
export { formatNameAddr, formatVia, headerDef } from './headers.js';
export { parseNameAddrText, parseViaText, type ValueResult } from './values.js';
export {
  StreamFramer,
  SipFramingError,
  DEFAULT_MAX_MESSAGE_SIZE,
  type FramerOutput,
  type FramingErrorReason,
  type StreamFramerOptions,
} from './framer.js';

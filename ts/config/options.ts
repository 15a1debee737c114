// The [rsmp] option table: one row per option with its type, default, one-line doc and parser.
// Vendor option names are kept verbatim so an existing [rsmp] section can be reused; rtcgate's own
// options live in the same section. Parsers take the raw text and either return the typed value
// or throw an OptionValueError whose text becomes the detail of a ConfigError (event 20006).

import { isIP } from 'node:net';
import { availableParallelism, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';
import { parseDnCredentials, parseDnPatterns } from '../sip/dn/index.js';
import {
  DEFAULT_CODECS,
  DEFAULT_SIP_ADDED_CODECS,
  DEFAULT_SIP_DISALLOWED_CODECS,
  DEFAULT_WEB_ADDED_CODECS,
  DEFAULT_WEB_DISALLOWED_CODECS,
  parseAddedCodecsOption,
  parseCodecsOption,
  parseDisallowedCodecsOption,
  parseSipSrtpModeOption,
} from '../sdp/sip/options.js';

export type OptionType = 'int' | 'port' | 'bool' | 'string' | 'list' | 'path' | 'enum';
export type SignalingImpl = 'ws' | 'uws' | 'auto';
export const SIGNALING_IMPLS: readonly SignalingImpl[] = ['ws', 'uws', 'auto'];

/** Host facts the defaults depend on; injectable for tests. */
export interface HostFacts {
  cpuCount(): number;
  interfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export const realHost: HostFacts = {
  cpuCount: () => availableParallelism(),
  interfaces: () => networkInterfaces(),
};

/** Thrown by a parser; the message is the human detail ("expected ..., got ..."). */
export class OptionValueError extends Error {}

export interface OptionSpec<T> {
  readonly type: OptionType;
  readonly doc: string;
  /** How the default reads in `--help` (some defaults depend on the host). */
  readonly defaultDoc: string;
  readonly values?: readonly string[];
  defaultValue(host: HostFacts): T;
  parse(raw: string): T;
}

const quote = (raw: string): string => JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}...` : raw);

function intSpec(doc: string, def: number, min: number, max: number, unit = ''): OptionSpec<number> {
  return {
    type: 'int',
    doc,
    defaultDoc: `${def}${unit}`,
    defaultValue: () => def,
    parse(raw) {
      const t = raw.trim();
      const n = /^[0-9]+$/.test(t) ? Number(t) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new OptionValueError(`expected an integer ${min}..${max}, got ${quote(raw)}`);
      }
      return n;
    },
  };
}

function portSpec(doc: string, def: number): OptionSpec<number> {
  return {
    type: 'port',
    doc,
    defaultDoc: String(def),
    defaultValue: () => def,
    parse(raw) {
      const t = raw.trim();
      const n = /^[0-9]{1,5}$/.test(t) ? Number(t) : Number.NaN;
      if (!(n >= 1 && n <= 65535)) throw new OptionValueError(`expected a port 1..65535, got ${quote(raw)}`);
      return n;
    },
  };
}

function parseBool(raw: string): boolean {
  switch (raw.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      throw new OptionValueError(`expected true or false, got ${quote(raw)}`);
  }
}

function boolSpec(doc: string, def: boolean): OptionSpec<boolean> {
  return { type: 'bool', doc, defaultDoc: String(def), defaultValue: () => def, parse: parseBool };
}

/** An option kept for vendor compatibility that rtcgate supports in one setting only. */
function requiredTrueSpec(doc: string, why: string): OptionSpec<true> {
  return {
    type: 'bool',
    doc,
    defaultDoc: 'true',
    defaultValue: () => true,
    parse(raw) {
      if (!parseBool(raw)) throw new OptionValueError(`only true is accepted: ${why}`);
      return true;
    },
  };
}

function enumSpec<T extends string>(doc: string, values: readonly T[], def: T): OptionSpec<T> {
  return {
    type: 'enum',
    doc,
    values,
    defaultDoc: def,
    defaultValue: () => def,
    parse(raw) {
      const t = raw.trim().toLowerCase();
      const found = values.find((v) => v === t);
      if (found === undefined) throw new OptionValueError(`expected one of ${values.join(', ')}, got ${quote(raw)}`);
      return found;
    },
  };
}

function ipSpec(doc: string, def: string): OptionSpec<string> {
  return {
    type: 'string',
    doc,
    defaultDoc: def,
    defaultValue: () => def,
    parse(raw) {
      const t = raw.trim();
      if (isIP(t) === 0) throw new OptionValueError(`expected an IPv4 or IPv6 address, got ${quote(raw)}`);
      return t;
    },
  };
}

/** Optional file path: empty means "not set". The file is read later, at load time. */
function pathSpec(doc: string): OptionSpec<string | null> {
  return {
    type: 'path',
    doc,
    defaultDoc: '(none)',
    defaultValue: () => null,
    parse(raw) {
      const t = raw.trim();
      if (t.includes('\0')) throw new OptionValueError('a path cannot contain NUL');
      return t === '' ? null : t;
    },
  };
}

/**
 * A free-form option checked by a parser from the module that uses it (SIP, SDP): its error
 * becomes the option's error. The raw string is kept; loadConfig builds the typed value.
 */
function checkedSpec(doc: string, def: string, check: (raw: string) => unknown, defaultDoc = def === '' ? '(blank)' : def): OptionSpec<string> {
  return {
    type: 'string',
    doc,
    defaultDoc,
    defaultValue: () => def,
    parse(raw) {
      const t = raw.trim();
      try {
        check(t);
      } catch (err) {
        throw new OptionValueError(err instanceof Error ? err.message : String(err));
      }
      return t;
    },
  };
}

/** `host[:port]` entries: one or two SIP servers ([rsmp]:[sip-proxy]); blank = standalone. */
export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPortList(raw: string, max: number): HostPort[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length > max) throw new Error(`at most ${max} addresses, got ${items.length}`);
  return items.map((item) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?$/.exec(item);
    if (m === null) throw new Error(`expected <IP-address|FQDN>[:<port>], got ${quote(item)}`);
    const port = m[2] === undefined ? 5060 : Number(m[2]);
    if (port < 1 || port > 65535) throw new Error(`port out of range in ${quote(item)}`);
    const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
    return { host, port };
  });
}

function optionalIpSpec(doc: string): OptionSpec<string | null> {
  return {
    type: 'string',
    doc,
    defaultDoc: '(blank: detected)',
    defaultValue: () => null,
    parse(raw) {
      const t = raw.trim();
      if (t === '') return null;
      if (isIP(t) === 0) throw new OptionValueError(`expected an IPv4 or IPv6 address, got ${quote(raw)}`);
      return t;
    },
  };
}

/** First non-internal IPv4 address of the host, or 127.0.0.1 when there is none. */
export function detectIceAddress(host: HostFacts): string {
  const ifaces = host.interfaces();
  for (const name of Object.keys(ifaces).sort()) {
    for (const info of ifaces[name] ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}

const iceAddressesSpec: OptionSpec<string[]> = {
  type: 'list',
  doc: 'Comma-separated IP addresses announced as ICE host candidates (IPv4 or IPv6, no brackets).',
  defaultDoc: 'first non-internal IPv4 of the host, else 127.0.0.1',
  defaultValue: (host) => [detectIceAddress(host)],
  parse(raw) {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const item of items) {
      if (isIP(item) === 0) throw new OptionValueError(`expected a comma-separated list of IP addresses, got ${quote(item)}`);
    }
    return items; // empty list: auto-detect (applied by loadConfig)
  },
};

/** Typed value of each option, by its [rsmp] name. */
export interface OptionValues {
  'http-port': number;
  'http-address': string;
  'web-rtp-min-port': number;
  'web-rtp-max-port': number;
  'sip-rtp-min-port': number;
  'sip-rtp-max-port': number;
  'enable-transcoding': boolean;
  'opus-complexity': number;
  'opus-bitrate': number;
  'jitter-min-delay': number;
  'jitter-max-delay': number;
  'sip-port': number;
  'sip-tls-port': number;
  'sip-tls-cert': string | null;
  'sip-tls-cert-key': string | null;
  'sip-address': string | null;
  'rtp-address': string | null;
  'sip-proxy': string;
  'sip-register': string;
  'sip-register-credentials': string;
  'sip-register-expires': number;
  codecs: string;
  'sip-added-codecs': string;
  'web-added-codecs': string;
  'sip-disallowed-codecs': string;
  'web-disallowed-codecs': string;
  'sip-srtp-mode': string;
  'sip-no-avpf': boolean;
  'reporting-service-type': string;
  'sip-userdata-prefix': string;
  'sip-timer-t1': number;
  'allow-anonymous-user': boolean;
  'web-ice-addresses': string[];
  'web-rtcp-mux': true;
  'web-media-bundle': true;
  'web-dtls-certificate': string | null;
  'web-dtls-privatekey': string | null;
  workers: number;
  'rtp-bind-address': string;
  'consent-timeout': number;
  'log-level': LogLevel;
  signaling: SignalingImpl;
}

export type OptionName = keyof OptionValues;

export const OPTIONS: { readonly [N in OptionName]: OptionSpec<OptionValues[N]> } = {
  'http-port': portSpec('TCP port of the HTTP/WebSocket signaling server (demo page, SDK, /ws).', 8086),
  'http-address': ipSpec('Local address the signaling server listens on.', '0.0.0.0'),
  'web-rtp-min-port': portSpec('Lowest UDP port used for browser-side media (one port per call).', 36000),
  'web-rtp-max-port': portSpec('Highest UDP port used for browser-side media.', 36999),
  'sip-rtp-min-port': portSpec('Lowest UDP port used for SIP-side RTP (an even RTP port and the next odd one for RTCP).', 9000),
  'sip-rtp-max-port': portSpec('Highest UDP port used for SIP-side RTP.', 9999),
  'enable-transcoding': boolSpec(
    'Transcode audio when the browser and SIP sides share no codec; false refuses such calls instead.',
    true,
  ),
  'opus-complexity': intSpec('Opus encoder complexity when transcoding (0 = cheapest, 10 = best).', 5, 0, 10),
  'opus-bitrate': intSpec('Opus encoder bitrate in bit/s when transcoding; 0 = 32000 (what browsers send for voice).', 0, 0, 510000, ' bit/s'),
  'jitter-min-delay': intSpec('Smallest jitter-buffer delay in ms on a transcoding leg.', 20, 0, 1000, ' ms'),
  'jitter-max-delay': intSpec('Largest jitter-buffer delay in ms on a transcoding leg.', 300, 20, 5000, ' ms'),
  'sip-port': portSpec('UDP and TCP port of the SIP side.', 5066),
  'sip-tls-port': intSpec('TLS port of the SIP side; 0 disables SIP over TLS.', 0, 0, 65535),
  'sip-tls-cert': pathSpec('PEM certificate for SIP over TLS (required when sip-tls-port is set).'),
  'sip-tls-cert-key': pathSpec('PEM private key of sip-tls-cert.'),
  'sip-address': optionalIpSpec('IP address put in SIP Via and Contact (multi-homed or NATed hosts, e.g. an elastic IP).'),
  'rtp-address': optionalIpSpec('IP address put in the SIP-side SDP c= line (multi-homed or NATed hosts).'),
  'sip-proxy': checkedSpec(
    'One or two SIP servers <IP|FQDN>[:<port>], comma-separated: proxy and registrar, the second for failover. Blank: standalone (SIP peers call ids directly).',
    '',
    (raw) => parseHostPortList(raw, 2),
  ),
  'sip-register': checkedSpec(
    'DNs registered at sip-proxy when a browser signs in with them: single DNs, ranges 8100-8199, wildcards 556* and 123??78, comma-separated.',
    '',
    (raw) => parseDnPatterns(raw),
  ),
  'sip-register-credentials': checkedSpec(
    'Digest credentials per DN, range or wildcard: <DN|range>:<username>:<password>[:<realm>], comma-separated; {dn} stands for the DN.',
    '',
    (raw) => parseDnCredentials(raw),
  ),
  'sip-register-expires': intSpec('Expiry in seconds asked for in REGISTER; refreshed before it runs out.', 3600, 60, 86400, ' s'),
  codecs: checkedSpec('Codecs used in offers and answers, with default payload types and fmtp (vendor syntax).', DEFAULT_CODECS, parseCodecsOption),
  'sip-added-codecs': checkedSpec('Codecs appended to offers to SIP endpoints when transcoding is enabled.', DEFAULT_SIP_ADDED_CODECS, parseAddedCodecsOption),
  'web-added-codecs': checkedSpec('Codecs appended to offers to browsers when transcoding is enabled.', DEFAULT_WEB_ADDED_CODECS, parseAddedCodecsOption),
  'sip-disallowed-codecs': checkedSpec('Codecs never used on the SIP side.', DEFAULT_SIP_DISALLOWED_CODECS, parseDisallowedCodecsOption),
  'web-disallowed-codecs': checkedSpec('Codecs never used on the browser side.', DEFAULT_WEB_DISALLOWED_CODECS, parseDisallowedCodecsOption),
  'sip-srtp-mode': checkedSpec('SRTP on the SIP side: none, optional (offer SRTP and RTP m-lines, accept either) or strict.', 'none', parseSipSrtpModeOption),
  'sip-no-avpf': boolSpec('Do not negotiate AVPF (RFC 4585) on the SIP side.', true),
  'reporting-service-type': checkedSpec('service_type sent in every INVITE as the <sip-userdata-prefix>service_type header; none disables it.', 'WebRTC', (raw) => {
    if (!/^[\x21-\x7e]+$/.test(raw)) throw new Error(`expected a token without spaces, got ${quote(raw)}`);
  }),
  'sip-userdata-prefix': checkedSpec(
    'Prefix of the SIP headers that carry user data (context data at call start, service_type); SIP Server maps them to attached data.',
    'X-Genesys-',
    (raw) => {
      if (!/^[A-Za-z0-9!%*_+`'~.-]+$/.test(raw)) throw new Error(`expected header-name characters, got ${quote(raw)}`);
    },
  ),
  'sip-timer-t1': intSpec(
    'SIP T1 in ms (RFC 3261 §17): the round-trip estimate that scales retransmissions and the 64×T1 transaction timeout after which a sip-proxy fails over.',
    500,
    50,
    10000,
    ' ms',
  ),
  'allow-anonymous-user': boolSpec('Whether browsers may sign in without a registered identity.', true),
  'web-ice-addresses': iceAddressesSpec,
  'web-rtcp-mux': requiredTrueSpec(
    'RTCP multiplexed on the RTP port (RFC 5761).',
    'rtcgate opens a single UDP port per call and carries RTCP on it (RFC 5761), so it cannot negotiate a separate RTCP port',
  ),
  'web-media-bundle': requiredTrueSpec(
    'Audio and video bundled on one transport (RFC 8843).',
    'rtcgate carries all media of a call on one ICE/DTLS transport (BUNDLE, RFC 8843) and cannot open one per m-line',
  ),
  'web-dtls-certificate': pathSpec('PEM certificate for browser-side DTLS; may also hold the key. Unset: generated at start.'),
  'web-dtls-privatekey': pathSpec('PEM private key for web-dtls-certificate (unless the certificate file holds it).'),
  workers: {
    ...intSpec('Media worker threads, each one event loop owning its sockets.', 1, 1, 256),
    defaultDoc: 'number of CPU cores',
    defaultValue: (host) => Math.max(1, host.cpuCount()),
  },
  'rtp-bind-address': ipSpec('Local address the media sockets bind to.', '0.0.0.0'),
  'consent-timeout': intSpec('Seconds without ICE consent before a call is dropped (RFC 7675 §5.1).', 30, 1, 3600, ' s'),
  'log-level': enumSpec('Minimum level of log lines written to stdout.', LOG_LEVELS, 'info'),
  signaling: enumSpec('WebSocket server: ws (pure JS), uws (uWebSockets.js) or auto (uws when installed).', SIGNALING_IMPLS, 'ws'),
};

export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

export function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

/** A row of the documentation table (`rtcgate serve --help`, docs/). */
export interface OptionDoc {
  name: string;
  type: OptionType;
  default: string;
  doc: string;
  values?: readonly string[];
}

export const OPTION_TABLE: readonly OptionDoc[] = OPTION_NAMES.map((name) => {
  const spec: OptionSpec<unknown> = OPTIONS[name];
  return {
    name,
    type: spec.type,
    default: spec.defaultDoc,
    doc: spec.doc,
    ...(spec.values ? { values: spec.values } : {}),
  };
});

/** Plain-text rendering of the table for --help. */
export function formatOptionTable(): string {
  const width = Math.max(...OPTION_TABLE.map((o) => o.name.length)) + 2;
  return OPTION_TABLE.map((o) => {
    const head = `  --${o.name.padEnd(width)}`;
    return `${head}${o.doc}\n  ${' '.repeat(width + 2)}[${o.type}; default: ${o.default}]`;
  }).join('\n');
}

// Builds the typed Config from defaults < config file < command line. Every problem becomes a
// ConfigError naming the option (log event 20006); nothing is silently ignored.

import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ConfigError, UsageError } from '../errors.js';
import { codecPolicyFromOptions, type CodecOptionName } from '../sdp/sip/options.js';
import type { CodecPolicy as SipCodecPolicy } from '../sdp/sip/types.js';
import { parseDnCredentials, parseDnPatterns, type DnCredentialTable, type DnPatternSet } from '../sip/dn/index.js';
import type { LogLevel } from '../log/logger.js';
import {
  OPTIONS,
  OPTION_NAMES,
  OptionValueError,
  detectIceAddress,
  isOptionName,
  parseHostPortList,
  realHost,
  type HostFacts,
  type HostPort,
  type OptionName,
  type OptionSpec,
  type OptionValues,
  type SignalingImpl,
} from './options.js';
import { parseCliArgs, parseIni, parseJsonConfig, type RawSetting, type SourceKind } from './sources.js';

export interface DtlsIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

export interface Config {
  httpPort: number;
  httpAddress: string;
  webRtpMinPort: number;
  webRtpMaxPort: number;
  sipRtpMinPort: number;
  sipRtpMaxPort: number;
  enableTranscoding: boolean;
  opusComplexity: number;
  opusBitrate: number;
  jitterMinDelay: number;
  jitterMaxDelay: number;
  sipPort: number;
  /** 0: no SIP over TLS. */
  sipTlsPort: number;
  /** PEM read at load time when sip-tls-port is set. */
  sipTls: DtlsIdentity | null;
  sipAddress: string | null;
  rtpAddress: string | null;
  /** One or two SIP servers (failover); empty: standalone. */
  sipProxy: readonly HostPort[];
  sipRegister: DnPatternSet;
  sipRegisterCredentials: DnCredentialTable;
  sipRegisterExpires: number;
  /** codecs, *-added-codecs, *-disallowed-codecs, enable-transcoding, sip-srtp-mode, sip-no-avpf. */
  codecPolicy: SipCodecPolicy;
  /** null when [rsmp]:[reporting-service-type] is "none". */
  reportingServiceType: string | null;
  sipUserdataPrefix: string;
  sipTimerT1: number;
  allowAnonymousUser: boolean;
  /** Never empty: auto-detected when not configured. */
  webIceAddresses: readonly string[];
  webRtcpMux: true;
  webMediaBundle: true;
  webDtlsCertificate: string | null;
  webDtlsPrivatekey: string | null;
  /** PEM read from the two files above at load time; null: the engine generates one. */
  dtls: DtlsIdentity | null;
  workers: number;
  rtpBindAddress: string;
  consentTimeout: number;
  logLevel: LogLevel;
  signaling: SignalingImpl;
  /** The --config file, if any. */
  configFile: string | null;
  /** Where each option's value came from. */
  sources: Readonly<Record<OptionName, SourceKind>>;
}

export interface ConfigEnv {
  host?: HostFacts;
  readFile?: (path: string) => string;
}

const SECTION = 'rsmp';

export function loadConfig(argv: readonly string[], env: ConfigEnv = {}): Config {
  const host = env.host ?? realHost;
  const readFile = env.readFile ?? ((p: string) => readFileSync(p, 'utf8'));

  const cli = parseCliArgs(argv);
  const settings: RawSetting[] = [];
  if (cli.configFile !== null) settings.push(...readConfigFile(cli.configFile, readFile));
  settings.push(...cli.settings);

  const values = new Map<OptionName, unknown>();
  const sources = new Map<OptionName, SourceKind>();
  const seenInFile = new Map<OptionName, string>();
  for (const s of settings) {
    if (s.section !== SECTION) {
      throw new ConfigError(s.option, `${s.where}: section [${s.section}] is not used by rtcgate (options go under [${SECTION}])`, s.section);
    }
    if (!isOptionName(s.option)) {
      throw new ConfigError(s.option, `${s.where}: unknown option (see "rtcgate serve --help")`);
    }
    if (s.source === 'file') {
      const before = seenInFile.get(s.option);
      if (before !== undefined) throw new ConfigError(s.option, `${s.where}: set twice (also at ${before})`);
      seenInFile.set(s.option, s.where);
    }
    values.set(s.option, parseValue(s.option, s.value, s.where));
    sources.set(s.option, s.source);
  }

  const get = <N extends OptionName>(name: N): OptionValues[N] => {
    const spec: OptionSpec<OptionValues[N]> = OPTIONS[name];
    if (!values.has(name)) return spec.defaultValue(host);
    // The map holds what spec.parse returned for this very name.
    return values.get(name) as OptionValues[N];
  };

  const webRtpMinPort = get('web-rtp-min-port');
  const webRtpMaxPort = get('web-rtp-max-port');
  if (webRtpMaxPort <= webRtpMinPort) {
    // Also guarantees at least 2 ports in the range.
    throw new ConfigError('web-rtp-max-port', `must be greater than web-rtp-min-port (${webRtpMinPort}), got ${webRtpMaxPort}`);
  }

  const sipRtpMinPort = get('sip-rtp-min-port');
  const sipRtpMaxPort = get('sip-rtp-max-port');
  if (sipRtpMaxPort < sipRtpMinPort + 3) {
    // RTP/RTCP pairs: at least two pairs.
    throw new ConfigError('sip-rtp-max-port', `must be at least sip-rtp-min-port + 3 (${sipRtpMinPort + 3}), got ${sipRtpMaxPort}`);
  }
  const jitterMinDelay = get('jitter-min-delay');
  const jitterMaxDelay = get('jitter-max-delay');
  if (jitterMaxDelay < jitterMinDelay) {
    throw new ConfigError('jitter-max-delay', `must not be below jitter-min-delay (${jitterMinDelay}), got ${jitterMaxDelay}`);
  }

  const sipTlsPort = get('sip-tls-port');
  let sipTls: DtlsIdentity | null = null;
  if (sipTlsPort !== 0) {
    const cert = get('sip-tls-cert');
    const key = get('sip-tls-cert-key');
    if (cert === null) throw new ConfigError('sip-tls-cert', `required when sip-tls-port is ${sipTlsPort}`);
    sipTls = loadPemPair('sip-tls-cert', 'sip-tls-cert-key', cert, key, readFile);
  }
  const codecOption = (name: CodecOptionName): string => String(get(name as OptionName));
  let codecPolicy: SipCodecPolicy;
  try {
    codecPolicy = codecPolicyFromOptions({
      codecs: codecOption('codecs'),
      'sip-added-codecs': codecOption('sip-added-codecs'),
      'web-added-codecs': codecOption('web-added-codecs'),
      'sip-disallowed-codecs': codecOption('sip-disallowed-codecs'),
      'web-disallowed-codecs': codecOption('web-disallowed-codecs'),
      'enable-transcoding': String(get('enable-transcoding')),
      'sip-srtp-mode': codecOption('sip-srtp-mode'),
      'sip-no-avpf': String(get('sip-no-avpf')),
    });
  } catch (err) {
    // Each option was checked alone; this only fails on a combination.
    throw new ConfigError('codecs', err instanceof Error ? err.message : String(err));
  }
  const reporting = get('reporting-service-type');

  const configuredIce = get('web-ice-addresses');
  const webIceAddresses = configuredIce.length > 0 ? configuredIce : [detectIceAddress(host)];

  const webDtlsCertificate = get('web-dtls-certificate');
  const webDtlsPrivatekey = get('web-dtls-privatekey');
  const dtls = loadDtlsIdentity(webDtlsCertificate, webDtlsPrivatekey, readFile);

  const sourceRecord = Object.fromEntries(OPTION_NAMES.map((n) => [n, sources.get(n) ?? 'default'])) as Record<
    OptionName,
    SourceKind
  >;

  return Object.freeze({
    httpPort: get('http-port'),
    httpAddress: get('http-address'),
    webRtpMinPort,
    webRtpMaxPort,
    sipRtpMinPort,
    sipRtpMaxPort,
    enableTranscoding: get('enable-transcoding'),
    opusComplexity: get('opus-complexity'),
    opusBitrate: get('opus-bitrate'),
    jitterMinDelay,
    jitterMaxDelay,
    sipPort: get('sip-port'),
    sipTlsPort,
    sipTls,
    sipAddress: get('sip-address'),
    rtpAddress: get('rtp-address'),
    sipProxy: Object.freeze(parseHostPortList(get('sip-proxy'), 2)),
    sipRegister: parseDnPatterns(get('sip-register')),
    sipRegisterCredentials: parseDnCredentials(get('sip-register-credentials')),
    sipRegisterExpires: get('sip-register-expires'),
    codecPolicy,
    reportingServiceType: reporting.toLowerCase() === 'none' ? null : reporting,
    sipUserdataPrefix: get('sip-userdata-prefix'),
    sipTimerT1: get('sip-timer-t1'),
    allowAnonymousUser: get('allow-anonymous-user'),
    webIceAddresses: Object.freeze([...webIceAddresses]),
    webRtcpMux: get('web-rtcp-mux'),
    webMediaBundle: get('web-media-bundle'),
    webDtlsCertificate,
    webDtlsPrivatekey,
    dtls,
    workers: get('workers'),
    rtpBindAddress: get('rtp-bind-address'),
    consentTimeout: get('consent-timeout'),
    logLevel: get('log-level'),
    signaling: get('signaling'),
    configFile: cli.configFile,
    sources: Object.freeze(sourceRecord),
  });
}

function parseValue(name: OptionName, raw: string, where: string): unknown {
  const spec: OptionSpec<unknown> = OPTIONS[name];
  try {
    return spec.parse(raw);
  } catch (err) {
    if (err instanceof OptionValueError) {
      throw new ConfigError(name, where === 'command line' ? err.message : `${err.message} (${where})`);
    }
    throw err;
  }
}

function readConfigFile(file: string, readFile: (p: string) => string): RawSetting[] {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return file.toLowerCase().endsWith('.json') ? parseJsonConfig(text, file) : parseIni(text, file);
}

const CERT_BLOCK_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK_RE = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

function loadDtlsIdentity(
  certPath: string | null,
  keyPath: string | null,
  readFile: (p: string) => string,
): DtlsIdentity | null {
  if (certPath === null && keyPath === null) return null;
  if (certPath === null) {
    throw new ConfigError('web-dtls-certificate', 'missing: web-dtls-privatekey is set, so the certificate must be set too');
  }
  return loadPemPair('web-dtls-certificate', 'web-dtls-privatekey', certPath, keyPath, readFile);
}

/** A PEM certificate and its key (possibly in the same file), checked to belong together. */
function loadPemPair(
  certOption: OptionName,
  keyOptionName: OptionName,
  certPath: string,
  keyPath: string | null,
  readFile: (p: string) => string,
): DtlsIdentity {
  const certText = readPem(certOption, certPath, readFile);
  const certBlocks = certText.match(CERT_BLOCK_RE);
  if (!certBlocks) throw new ConfigError(certOption, `${certPath} holds no PEM CERTIFICATE block`);
  const keyOption = keyPath === null ? certOption : keyOptionName;
  const keyText = keyPath === null ? certText : readPem(keyOptionName, keyPath, readFile);
  const keyBlock = KEY_BLOCK_RE.exec(keyText);
  if (!keyBlock) {
    throw new ConfigError(
      keyOptionName,
      keyPath === null
        ? `missing: ${certPath} holds no private key, so ${keyOptionName} must name one`
        : `${keyPath} holds no PEM PRIVATE KEY block`,
    );
  }
  if (keyBlock[1] === 'ENCRYPTED PRIVATE KEY') {
    throw new ConfigError(keyOption, 'the private key is encrypted; give an unencrypted PEM key');
  }
  const certificatePem = `${certBlocks.join('\n')}\n`;
  const privateKeyPem = `${keyBlock[0]}\n`;
  try {
    const cert = new X509Certificate(certificatePem);
    const key = createPrivateKey(privateKeyPem);
    if (!cert.checkPrivateKey(key)) {
      throw new ConfigError(keyOption, 'the private key does not match the certificate');
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(certOption, `cannot load the certificate or key: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { certificatePem, privateKeyPem };
}

function readPem(option: OptionName, path: string, readFile: (p: string) => string): string {
  try {
    return readFile(path);
  } catch (err) {
    throw new ConfigError(option, `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

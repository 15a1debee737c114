import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, UsageError } from '../errors.js';
import { loadConfig, toEngineOptions, formatOptionTable, OPTION_TABLE, type HostFacts } from './index.js';

const host: HostFacts = {
  cpuCount: () => 6,
  interfaces: () => ({
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: '127.0.0.1/8' }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', cidr: 'fe80::1/64', scopeid: 2 },
      { address: '192.0.2.10', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: '192.0.2.10/24' },
    ],
  }),
};
const loopbackOnly: HostFacts = { cpuCount: () => 1, interfaces: () => ({ lo: host.interfaces()['lo'] ?? [] }) };

const dir = mkdtempSync(join(tmpdir(), 'rtcgate-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

const PREFIX = 'Invalid or missing value for the option: ';
function expectConfigError(fn: () => unknown, option: string, detail: RegExp | string, section = 'rsmp'): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.option, option);
    assert.equal(err.section, section);
    assert.equal(err.event, 20006);
    assert.equal(err.code, 'ERR_CONFIG');
    const head = `${PREFIX}[${section}]:[${option}] — `;
    assert.ok(err.message.startsWith(head), `message ${JSON.stringify(err.message)} should start with ${JSON.stringify(head)}`);
    const detail_ = err.message.slice(head.length);
    if (typeof detail === 'string') assert.equal(detail_, detail);
    else assert.match(detail_, detail);
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('gives the vendor defaults and rtcgate defaults', () => {
    const c = loadConfig([], { host });
    assert.equal(c.httpPort, 8086);
    assert.equal(c.httpAddress, '0.0.0.0');
    assert.equal(c.webRtpMinPort, 36000);
    assert.equal(c.webRtpMaxPort, 36999);
    assert.equal(c.allowAnonymousUser, true);
    assert.deepEqual(c.webIceAddresses, ['192.0.2.10']);
    assert.equal(c.webRtcpMux, true);
    assert.equal(c.webMediaBundle, true);
    assert.equal(c.webDtlsCertificate, null);
    assert.equal(c.dtls, null);
    assert.equal(c.workers, 6);
    assert.equal(c.rtpBindAddress, '0.0.0.0');
    assert.equal(c.consentTimeout, 30);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.signaling, 'ws');
    assert.equal(c.configFile, null);
    assert.equal(c.sources['http-port'], 'default');
    assert.ok(Object.isFrozen(c));
  });

  it('falls back to 127.0.0.1 when the host has no external IPv4', () => {
    assert.deepEqual(loadConfig([], { host: loopbackOnly }).webIceAddresses, ['127.0.0.1']);
  });

  it('maps onto engine options', () => {
    const e = toEngineOptions(loadConfig(['--workers', '2', '--rtp-bind-address', '127.0.0.1'], { host }));
    assert.deepEqual(e, { workers: 2, portMin: 36000, portMax: 36999, sipPortMin: 9000, sipPortMax: 9999, bindAddress: '127.0.0.1', consentTimeoutSeconds: 30 });
  });

  it('documents every option', () => {
    assert.ok(OPTION_TABLE.length >= 15);
    const text = formatOptionTable();
    for (const o of OPTION_TABLE) assert.ok(text.includes(`--${o.name}`));
    assert.ok(text.includes('default: 8086'));
  });
});

describe('loadConfig sources and precedence', () => {
  it('reads an INI file with [rsmp], comments and quotes', () => {
    const p = file(
      'a.ini',
      [
        '# vendor style',
        '; another comment',
        '[rsmp]',
        'http-port = 9000',
        'web-rtp-min-port=40000',
        'web-rtp-max-port = 40100',
        'allow-anonymous-user = false',
        'web-ice-addresses = 10.0.0.1, 2001:db8::1',
        'log-level = "debug"',
        '',
      ].join('\r\n'),
    );
    const c = loadConfig(['--config', p], { host });
    assert.equal(c.httpPort, 9000);
    assert.equal(c.webRtpMinPort, 40000);
    assert.equal(c.webRtpMaxPort, 40100);
    assert.equal(c.allowAnonymousUser, false);
    assert.deepEqual(c.webIceAddresses, ['10.0.0.1', '2001:db8::1']);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.configFile, p);
    assert.equal(c.sources['http-port'], 'file');
    assert.equal(c.sources.workers, 'default');
  });

  it('reads a JSON file', () => {
    const p = file('a.json', JSON.stringify({ rsmp: { 'http-port': 9100, 'allow-anonymous-user': false, 'web-ice-addresses': ['10.1.1.1'], signaling: 'auto' } }));
    const c = loadConfig([`--config=${p}`], { host });
    assert.equal(c.httpPort, 9100);
    assert.equal(c.allowAnonymousUser, false);
    assert.deepEqual(c.webIceAddresses, ['10.1.1.1']);
    assert.equal(c.signaling, 'auto');
  });

  it('command line beats the file, which beats the defaults', () => {
    const p = file('b.ini', '[rsmp]\nhttp-port = 9000\nworkers = 3\n');
    const c = loadConfig(['--config', p, '--http-port', '9200'], { host });
    assert.equal(c.httpPort, 9200);
    assert.equal(c.sources['http-port'], 'cli');
    assert.equal(c.workers, 3);
    assert.equal(c.consentTimeout, 30);
    // Order on the command line does not matter for the file.
    assert.equal(loadConfig(['--http-port=9300', '--config', p], { host }).httpPort, 9300);
  });

  it('accepts a bare boolean flag and --opt=value', () => {
    const c = loadConfig(['--allow-anonymous-user', '--web-rtcp-mux=true', '--consent-timeout=10'], { host });
    assert.equal(c.allowAnonymousUser, true);
    assert.equal(c.consentTimeout, 10);
  });

  it('an empty web-ice-addresses means auto-detect', () => {
    assert.deepEqual(loadConfig(['--web-ice-addresses='], { host }).webIceAddresses, ['192.0.2.10']);
  });

  it('loads a DTLS certificate and key', () => {
    const c = loadConfig(['--web-dtls-certificate', testdata('cert.pem'), '--web-dtls-privatekey', testdata('key.pem')], { host });
    assert.ok(c.dtls?.certificatePem.startsWith('-----BEGIN CERTIFICATE-----'));
    assert.ok(c.dtls?.privateKeyPem.startsWith('-----BEGIN PRIVATE KEY-----'));
    assert.deepEqual(Object.keys(toEngineOptions(c)).sort(), ['bindAddress', 'certificatePem', 'consentTimeoutSeconds', 'portMax', 'portMin', 'privateKeyPem', 'sipPortMax', 'sipPortMin', 'workers']);
  });

  it('takes the key from a combined certificate file', () => {
    const c = loadConfig(['--web-dtls-certificate', testdata('combined.pem')], { host });
    assert.ok(c.dtls?.privateKeyPem.includes('PRIVATE KEY'));
    assert.ok(!c.dtls?.certificatePem.includes('PRIVATE KEY'));
  });
});

describe('loadConfig errors (event 20006)', () => {
  const cases: Array<{ name: string; argv: string[]; option: string; detail: string | RegExp; section?: string }> = [
    { name: 'bad port', argv: ['--http-port', 'abc'], option: 'http-port', detail: 'expected a port 1..65535, got "abc"' },
    { name: 'port 0', argv: ['--http-port', '0'], option: 'http-port', detail: 'expected a port 1..65535, got "0"' },
    { name: 'port too big', argv: ['--web-rtp-min-port', '65536'], option: 'web-rtp-min-port', detail: 'expected a port 1..65535, got "65536"' },
    { name: 'negative port', argv: ['--http-port', '-1'], option: 'http-port', detail: 'expected a port 1..65535, got "-1"' },
    { name: 'unknown option', argv: ['--sip-portt', '5060'], option: 'sip-portt', detail: 'command line: unknown option (see "rtcgate serve --help")' },
    { name: 'bad bool', argv: ['--allow-anonymous-user', 'maybe'], option: 'allow-anonymous-user', detail: 'expected true or false, got "maybe"' },
    { name: 'bad int', argv: ['--workers', '1.5'], option: 'workers', detail: 'expected an integer 1..256, got "1.5"' },
    { name: 'workers 0', argv: ['--workers', '0'], option: 'workers', detail: 'expected an integer 1..256, got "0"' },
    { name: 'bad enum', argv: ['--signaling', 'socketio'], option: 'signaling', detail: 'expected one of ws, uws, auto, got "socketio"' },
    { name: 'bad log level', argv: ['--log-level', 'verbose'], option: 'log-level', detail: /^expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"$/ },
    { name: 'bad ip', argv: ['--rtp-bind-address', 'localhost'], option: 'rtp-bind-address', detail: 'expected an IPv4 or IPv6 address, got "localhost"' },
    { name: 'bad ice list', argv: ['--web-ice-addresses', '10.0.0.1,example.com'], option: 'web-ice-addresses', detail: 'expected a comma-separated list of IP addresses, got "example.com"' },
    { name: 'rtcp-mux off', argv: ['--web-rtcp-mux', 'false'], option: 'web-rtcp-mux', detail: /^only true is accepted: rtcgate opens a single UDP port per call .*RFC 5761/ },
    { name: 'bundle off', argv: ['--web-media-bundle', 'false'], option: 'web-media-bundle', detail: /^only true is accepted: .*BUNDLE, RFC 8843/ },
    { name: 'min >= max', argv: ['--web-rtp-min-port', '5000', '--web-rtp-max-port', '5000'], option: 'web-rtp-max-port', detail: 'must be greater than web-rtp-min-port (5000), got 5000' },
    { name: 'min > max', argv: ['--web-rtp-min-port', '6000', '--web-rtp-max-port', '5000'], option: 'web-rtp-max-port', detail: 'must be greater than web-rtp-min-port (6000), got 5000' },
    { name: 'key without certificate', argv: ['--web-dtls-privatekey', '/x/key.pem'], option: 'web-dtls-certificate', detail: 'missing: web-dtls-privatekey is set, so the certificate must be set too' },
    { name: 'proto key', argv: ['--__proto__', '1'], option: '__proto__', detail: /unknown option/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expectConfigError(() => loadConfig(c.argv, { host }), c.option, c.detail, c.section);
    });
  }

  it('names the file and line for a bad value in an INI file', () => {
    const p = file('bad.ini', '[rsmp]\nhttp-port = 99999\n');
    expectConfigError(() => loadConfig(['--config', p], { host }), 'http-port', `expected a port 1..65535, got "99999" (${p}:2)`);
  });

  it('rejects an option set twice in a file', () => {
    const p = file('twice.ini', '[rsmp]\nhttp-port = 9000\nhttp-port = 9001\n');
    expectConfigError(() => loadConfig(['--config', p], { host }), 'http-port', `${p}:3: set twice (also at ${p}:2)`);
  });

  it('rejects options in other sections and outside sections', () => {
    const p = file('log.ini', '[rsmp]\nhttp-port = 9000\n[log]\nverbose = all\n');
    expectConfigError(() => loadConfig(['--config', p], { host }), 'verbose', /section \[log\] is not used by rtcgate/, 'log');
    const q = file('nosection.ini', 'http-port = 9000\n');
    expectConfigError(() => loadConfig(['--config', q], { host }), 'http-port', /option outside of a section/);
    const r = file('garbage.ini', '[rsmp]\njust words\n');
    expectConfigError(() => loadConfig(['--config', r], { host }), 'just words', `${r}:2: expected "option = value" or "[section]"`);
  });

  it('rejects bad JSON shapes', () => {
    const p = file('bad.json', JSON.stringify({ rsmp: { 'http-port': null } }));
    expectConfigError(() => loadConfig(['--config', p], { host }), 'http-port', /expected a string, number, boolean or list of strings/);
    const q = file('proto.json', '{"rsmp": {"__proto__": {"polluted": 1}}}');
    expectConfigError(() => loadConfig(['--config', q], { host }), '__proto__', /expected a string, number, boolean or list/);
    assert.equal(Reflect.get(Object.prototype, 'polluted'), undefined);
    const r = file('notjson.json', '{ rsmp: ');
    assert.throws(() => loadConfig(['--config', r], { host }), UsageError);
  });

  it('rejects a key that does not match the certificate', () => {
    expectConfigError(
      () => loadConfig(['--web-dtls-certificate', testdata('cert.pem'), '--web-dtls-privatekey', testdata('other-key.pem')], { host }),
      'web-dtls-privatekey',
      'the private key does not match the certificate',
    );
  });

  it('asks for a key when the certificate file has none', () => {
    expectConfigError(
      () => loadConfig(['--web-dtls-certificate', testdata('cert.pem')], { host }),
      'web-dtls-privatekey',
      /^missing: .*cert\.pem holds no private key/,
    );
  });

  it('reports unreadable certificate files on the option', () => {
    expectConfigError(() => loadConfig(['--web-dtls-certificate', join(dir, 'nope.pem')], { host }), 'web-dtls-certificate', /^cannot read .*nope\.pem/);
  });

  it('usage errors for a missing config file and stray arguments', () => {
    assert.throws(() => loadConfig(['--config', join(dir, 'missing.ini')], { host }), UsageError);
    assert.throws(() => loadConfig(['stray'], { host }), UsageError);
    assert.throws(() => loadConfig(['--config'], { host }), UsageError);
  });
});

describe('loadConfig: SIP side options', () => {
  it('defaults: standalone (no sip-proxy), sip-port 5066, no TLS, WebRTC service type', () => {
    const c = loadConfig([], { host });
    assert.deepEqual(c.sipProxy, []);
    assert.equal(c.sipPort, 5066);
    assert.equal(c.sipTlsPort, 0);
    assert.equal(c.sipTls, null);
    assert.equal(c.reportingServiceType, 'WebRTC');
    assert.equal(c.sipRegister.isEmpty, true);
    assert.equal(c.codecPolicy.sipSrtpMode, 'none');
    assert.equal(c.codecPolicy.enableTranscoding, true);
  });

  it('parses one or two SIP servers with the default port 5060', () => {
    const c = loadConfig(['--sip-proxy', '10.0.0.5, sip.example.com:5080'], { host });
    assert.deepEqual(c.sipProxy, [
      { host: '10.0.0.5', port: 5060 },
      { host: 'sip.example.com', port: 5080 },
    ]);
    expectConfigError(() => loadConfig(['--sip-proxy', 'a,b,c'], { host }), 'sip-proxy', 'at most 2 addresses, got 3');
  });

  it('sip-register patterns and their errors name the option', () => {
    const c = loadConfig(['--sip-register', '8100-8199,556*,+4930*'], { host });
    assert.equal(c.sipRegister.matches('8150'), true);
    assert.equal(c.sipRegister.matches('5561234'), true);
    assert.equal(c.sipRegister.matches('4930'), false);
    expectConfigError(() => loadConfig(['--sip-register', '81a0-8199'], { host }), 'sip-register', /range bounds must be digits/);
  });

  it('codec options are checked one by one and combined into the policy', () => {
    const c = loadConfig(['--codecs', '(pcmu,opus,telephone-event=101)', '--enable-transcoding', 'false'], { host });
    assert.equal(c.codecPolicy.enableTranscoding, false);
    assert.deepEqual(c.codecPolicy.codecs.map((x) => x.name), ['PCMU', 'opus', 'telephone-event']);
    expectConfigError(() => loadConfig(['--sip-srtp-mode', 'maybe'], { host }), 'sip-srtp-mode', /maybe/);
  });

  it('SIP over TLS needs its certificate; reporting-service-type none disables the header', () => {
    expectConfigError(() => loadConfig(['--sip-tls-port', '5067'], { host }), 'sip-tls-cert', 'required when sip-tls-port is 5067');
    const c = loadConfig(['--sip-tls-port', '5067', '--sip-tls-cert', testdata('cert.pem'), '--sip-tls-cert-key', testdata('key.pem'), '--reporting-service-type', 'none'], { host });
    assert.ok(c.sipTls?.certificatePem.startsWith('-----BEGIN CERTIFICATE-----'));
    assert.equal(c.reportingServiceType, null);
  });
});

// Runs Debian's baresip (1.0.0) as a headless SIP phone for end-to-end tests.
//
// A private configuration directory (config, accounts, contacts) is written into a temporary
// directory and baresip is started with `-f <dir>`. Notes from /work/shared/README.md apply:
//  - no sound card: the speaker and the alert go to an `aubridge` device nobody reads (the
//    `alsa,null` player spins at 100 % CPU); the microphone is `ausine` (a 440 Hz tone), so the
//    phone really sends audio;
//  - no keyboard UI: it is driven through `ctrl_tcp` (netstring-framed JSON commands, answered by
//    `{"response":true,...}` and interleaved with `{"event":true,...}` call events);
//  - everything on 127.0.0.1 (`net_interface 127.0.0.1`, `sip_listen 127.0.0.1:<port>`); baresip
//    also listens for SIP over TLS on <port> + 1 (baresipPorts() keeps that one free).
// The account never registers (regint=0): baresip dials full SIP URIs such as
// sip:alice@127.0.0.1:<gateway sip-port> and is reachable at sip:<user>@127.0.0.1:<sipPort>.
// With `-s` baresip prints every SIP message it sends and receives; the test reads SDP from it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './gateway.js';

export const kBaresipPath = process.env['RTCGATE_BARESIP'] ?? '/usr/bin/baresip';
const kModulePath = '/usr/lib/baresip/modules';

/** The modules the configuration loads (all in Debian's baresip-core). */
const kModules = ['g711.so', 'aubridge.so', 'ausine.so', 'account.so', 'menu.so', 'ctrl_tcp.so'];

export function haveBaresip(): boolean {
  const r = spawnSync(kBaresipPath, ['-h'], { timeout: 5000 });
  // `baresip -h` prints its usage and exits (status 0 or 1 depending on the build).
  const runs = r.error === undefined && /baresip/i.test(`${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`);
  return runs && kModules.every((m) => existsSync(join(kModulePath, m)));
}

export interface BaresipOptions {
  /** UDP/TCP port baresip listens on for SIP (127.0.0.1). */
  sipPort: number;
  /** TCP port of ctrl_tcp (127.0.0.1). */
  ctrlPort: number;
  /** User part of its account AOR; default "bob". */
  user?: string;
  /** "manual" (default: the test accepts via ctrl_tcp) or "auto". */
  answerMode?: 'manual' | 'auto';
  /** Audio codecs offered/accepted, baresip syntax; default PCMU and PCMA. */
  audioCodecs?: string;
  /** baresip's RTP port range; default 43000-43199 (clear of the gateway ranges the e2e tests use). */
  rtpPorts?: string;
}

/** One `{"event":true,...}` object from ctrl_tcp. */
export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  direction?: string;
  id?: string;
  [k: string]: unknown;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

export interface Baresip {
  readonly sipPort: number;
  readonly aor: string;
  readonly dir: string;
  /** Everything baresip wrote to stdout/stderr (with -s: the SIP trace), in order. */
  readonly output: string[];
  /** The ctrl_tcp events received so far, in order. */
  readonly events: BaresipEvent[];
  /** Index of the next event, for waitEvent(..., from). */
  mark(): number;
  /** Sends one command (as the menu module knows it: dial, accept, hangup, hold, resume, ...). */
  command(command: string, params?: string): Promise<BaresipResponse>;
  /** Resolves with the first event at index `from` or later for which `match` holds (rejects after `ms`). */
  waitEvent(match: (e: BaresipEvent) => boolean, ms: number, from?: number): Promise<BaresipEvent>;
  /** Resolves when the whole output so far matches `re` (rejects after `ms`). */
  waitOutput(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Kills baresip, closes the control connection, removes the directory. */
  stop(): Promise<void>;
}

function configText(o: Required<BaresipOptions>): string {
  return [
    '# Written by rtcgate tests: a headless phone on 127.0.0.1 controlled over ctrl_tcp.',
    'poll_method epoll',
    `sip_listen 127.0.0.1:${o.sipPort}`,
    'net_interface 127.0.0.1',
    'sip_trans_def udp',
    // Speaker and alert: an aubridge device that has no source attached (does not spin).
    'audio_player aubridge,rtcgate-nowhere',
    'audio_alert aubridge,rtcgate-nowhere',
    // Microphone: a 440 Hz tone. ausine produces only 48 kHz stereo; baresip resamples for G.711.
    'audio_source ausine,440',
    'ausrc_srate 48000',
    'ausrc_channels 2',
    `rtp_ports ${o.rtpPorts}`,
    'rtcp_mux no',
    'jitter_buffer_delay 1-10',
    `module_path ${kModulePath}`,
    'module g711.so',
    'module aubridge.so',
    'module ausine.so',
    'module_app account.so',
    // menu registers the commands ctrl_tcp runs (dial, accept, hangup, hold, resume, ...).
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${o.ctrlPort}`,
    '',
  ].join('\n');
}

/** Netstring framing (djb): `<decimal length>:<bytes>,`. */
export function netstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

/** Splits complete netstrings off the front of `buf`; returns them and the unread rest. */
export function takeNetstrings(buf: Buffer): { items: string[]; rest: Buffer } {
  const items: string[] = [];
  let at = 0;
  for (;;) {
    const colon = buf.indexOf(0x3a, at);
    if (colon < 0) break;
    const len = Number(buf.subarray(at, colon).toString('ascii'));
    if (!Number.isInteger(len) || len < 0) throw new Error(`bad netstring length ${JSON.stringify(buf.subarray(at, colon).toString())}`);
    const end = colon + 1 + len;
    if (buf.length < end + 1) break;
    if (buf[end] !== 0x2c) throw new Error('netstring without its trailing comma');
    items.push(buf.subarray(colon + 1, end).toString('utf8'));
    at = end + 1;
  }
  return { items, rest: buf.subarray(at) };
}

async function waitFor<T>(probe: () => T | undefined, ms: number, what: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const o: Required<BaresipOptions> = { user: 'bob', answerMode: 'manual', audioCodecs: 'PCMU/8000/1,PCMA/8000/1', rtpPorts: '43000-43199', ...options };
  const dir = mkdtempSync(join(tmpdir(), 'rtcgate-baresip-'));
  const aor = `sip:${o.user}@127.0.0.1:${o.sipPort}`;
  writeFileSync(join(dir, 'config'), configText(o));
  writeFileSync(join(dir, 'accounts'), `<${aor}>;regint=0;answermode=${o.answerMode};audio_codecs=${o.audioCodecs}\n`);
  writeFileSync(join(dir, 'contacts'), '');

  const output: string[] = [];
  const events: BaresipEvent[] = [];
  // -s: SIP trace on stdout. No -v: the debug log is very chatty.
  const child: ChildProcess = spawn(kBaresipPath, ['-f', dir, '-s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));

  let sock: Socket | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    sock?.destroy();
    if (!dead) {
      child.kill('SIGTERM');
      const quit = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
      if (!quit) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(() => (/baresip is ready/.test(output.join('')) ? true : undefined), 5000, () => `baresip to start: ${output.join('').slice(-1500)}`);
    if (dead) throw new Error(`baresip exited: ${output.join('').slice(-1500)}`);
    sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(o.ctrlPort, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const pending = new Map<string, (r: BaresipResponse) => void>();
  let rest: Buffer = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    const { items, rest: r } = takeNetstrings(Buffer.concat([rest, d]));
    rest = r;
    for (const item of items) {
      const msg = JSON.parse(item) as Record<string, unknown>;
      if (msg['event'] === true) events.push(msg as unknown as BaresipEvent);
      else if (msg['response'] === true) {
        const token = String(msg['token'] ?? '');
        const done = pending.get(token);
        pending.delete(token);
        done?.({ ok: msg['ok'] === true, data: typeof msg['data'] === 'string' ? msg['data'] : '' });
      }
    }
  });
  sock.on('error', () => undefined);

  let nextToken = 1;
  return {
    sipPort: o.sipPort,
    aor,
    dir,
    output,
    events,
    mark: () => events.length,
    command(command, params) {
      const token = String(nextToken++);
      const s = sock;
      if (s === undefined || s.destroyed) return Promise.reject(new Error('baresip control connection is closed'));
      return new Promise<BaresipResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(token);
          reject(new Error(`baresip did not answer "${command}"`));
        }, 5000);
        pending.set(token, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        s.write(netstring(JSON.stringify({ command, ...(params === undefined ? {} : { params }), token })));
      });
    },
    waitEvent(match, ms, from = 0) {
      return waitFor(
        () => events.slice(from).find(match),
        ms,
        () => `a baresip event; got ${JSON.stringify(events.slice(from).map((e) => `${e.type}${e.param ? `(${e.param})` : ''}`))}`,
      );
    },
    waitOutput(re, ms) {
      return waitFor(() => output.join('').match(re) ?? undefined, ms, () => `${String(re)} in baresip's output: ${output.join('').slice(-2000)}`);
    },
    stop,
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * Ports for one baresip: its SIP port (baresip also listens for SIP over TLS on sipPort + 1, so
 * that one must be free too) and its ctrl_tcp port.
 */
export async function baresipPorts(): Promise<{ sipPort: number; ctrlPort: number }> {
  for (let i = 0; i < 50; i++) {
    const sipPort = await freePort();
    if (sipPort >= 65535 || !(await portFree(sipPort + 1))) continue;
    let ctrlPort = await freePort();
    while (ctrlPort === sipPort + 1) ctrlPort = await freePort();
    return { sipPort, ctrlPort };
  }
  throw new Error('no free port pair for baresip');
}

/** One SIP message from baresip's `-s` trace. */
export interface TracedSip {
  from: string;
  to: string;
  /** The message: start line, headers, body. */
  text: string;
}

/** Splits baresip's `-s` output into SIP messages: each is printed as ESC[36;1m "#" NL "UDP a:p -> b:p" NL message ESC[;m. */
export function sipTrace(output: string): TracedSip[] {
  const out: TracedSip[] = [];
  const re = /\x1b\[36;1m#\r?\n(UDP|TCP|TLS) (\S+) -> (\S+)\r?\n([\s\S]*?)\x1b\[;m/g;
  for (const m of output.matchAll(re)) out.push({ from: m[2]!, to: m[3]!, text: m[4]! });
  return out;
}

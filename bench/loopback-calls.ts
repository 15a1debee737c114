// Loop-back call bench: `rtcgate serve` runs as a separate process on 127.0.0.1, one headless
// Chromium places N calls to "self" at once, media flows for S seconds, then all hang up. Prints
// per-call set-up times and the gateway's CPU (per thread) and memory over the media phase, as
// Markdown.
//
//   node --import tsx bench/loopback-calls.ts [--calls 20] [--seconds 30] [--video] [--host-net]
//
// dist/ must be built (npm run build:ts). As root the bench re-runs itself under `unshare -n`
// (a private network namespace with only lo) unless --host-net is given.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

import { launchChromium, openPage } from '../test/e2e/helpers/chromium.js';

const kRoot = fileURLToPath(new URL('..', import.meta.url));
/** How long the gateway is watched with no call, before the calls. */
const kIdleMs = 3000;

// ---------------------------------------------------------------------------------------------
// Command line

interface BenchArgs {
  calls: number;
  seconds: number;
  video: boolean;
  hostNet: boolean;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { calls: 20, seconds: 30, video: false, hostNet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} wants a positive integer`);
      return v;
    };
    if (a === '--calls') out.calls = num();
    else if (a === '--seconds') out.seconds = num();
    else if (a === '--video') out.video = true;
    else if (a === '--host-net') out.hostNet = true;
    else throw new Error(`unknown argument ${String(a)} (use --calls N --seconds S [--video] [--host-net])`);
  }
  return out;
}

/** As root, runs this same command again inside a private network namespace; returns its exit code. */
function reexecInNamespace(): number | null {
  if (process.env['RTCGATE_NETNS'] !== undefined || process.getuid?.() !== 0) return null;
  if (spawnSync('unshare', ['-n', 'true']).status !== 0) return null;
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec ${quoted}`], {
    stdio: 'inherit',
    env: { ...process.env, RTCGATE_NETNS: '1' },
  });
  return r.status ?? 1;
}

// ---------------------------------------------------------------------------------------------
// /proc sampling

const kClockTicks = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const kPageKiB = ((): number => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) / 1024 || 4;
  } catch {
    return 4;
  }
})();

interface StatLine {
  ppid: number;
  /** utime + stime, in milliseconds. */
  cpuMs: number;
  rssKiB: number;
}

/** Parses /proc/…/stat; the name field may hold spaces and parentheses, so split after the last ')'. */
function readStat(path: string): StatLine | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null; // exited meanwhile
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss 24 (proc(5)).
  const ppid = Number(f[1]);
  const ticks = Number(f[11]) + Number(f[12]);
  return { ppid, cpuMs: (ticks * 1000) / kClockTicks, rssKiB: Number(f[21]) * kPageKiB };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

interface ThreadSample {
  name: string;
  cpuMs: number;
  /** Voluntary context switches: how often the thread went to sleep (epoll_wait, futex…). */
  sleeps: number;
}

/** CPU of every thread of `pid`, by thread id. */
function sampleThreads(pid: number): Map<number, ThreadSample> {
  const out = new Map<number, ThreadSample>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    // schedstat's first field is the thread's time on a CPU in ns (utime/stime tick every 10 ms).
    const ns = Number(readText(`/proc/${pid}/task/${tid}/schedstat`).split(' ')[0]);
    const cpuMs = Number.isFinite(ns) && ns > 0 ? ns / 1e6 : readStat(`/proc/${pid}/task/${tid}/stat`)?.cpuMs;
    const sleeps = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readText(`/proc/${pid}/task/${tid}/status`))?.[1] ?? NaN);
    if (cpuMs !== undefined) out.set(Number(tid), { name: readText(`/proc/${pid}/task/${tid}/comm`).trim(), cpuMs, sleeps });
  }
  return out;
}

interface ProcSample {
  cpuMs: number;
  rssKiB: number;
  /** Chromium's --type= (renderer, gpu-process, utility…); "browser" for the main process. */
  kind: string;
}

/** Every process descending from `root`, except those under `exclude` (the gateway). */
function sampleDescendants(root: number, exclude: number): Map<number, ProcSample> {
  const stats = new Map<number, StatLine>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(`/proc/${name}/stat`);
    if (st) stats.set(Number(name), st);
  }
  const isUnder = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === exclude) return false;
      const parent = stats.get(p)?.ppid;
      if (parent === root) return true;
      if (parent === undefined) return false;
      p = parent;
    }
    return false;
  };
  const out = new Map<number, ProcSample>();
  for (const [pid, st] of stats) {
    if (pid === root || !isUnder(pid)) continue;
    // Chromium's children rewrite their command line into one space-separated string.
    const cmdline = readText(`/proc/${pid}/cmdline`).replaceAll('\0', ' ');
    const type = /--type=(\S+)/.exec(cmdline)?.[1];
    const sub = /--utility-sub-type=(\S+)/.exec(cmdline)?.[1]?.split('.').pop();
    const exe = readText(`/proc/${pid}/comm`).trim();
    const kind = type === undefined ? (exe === 'chromium' ? 'browser' : exe) : sub === undefined ? type : `${type} (${sub})`;
    out.set(pid, { cpuMs: st.cpuMs, rssKiB: st.rssKiB, kind });
  }
  return out;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readText(`/proc/${pid}/status`));
  return m ? Number(m[1]) : NaN;
}

/**
 * Idle time of the whole machine (all cores), in ms: idle + iowait from the first line of /proc/stat.
 * Busy time is then cores × wall − idle. The busy fields themselves are sampled at the scheduler
 * tick, which a tickless kernel skips while idle, so they miss short bursts such as 20 ms audio
 * work (they read less than Chromium alone here); idle time is accounted exactly.
 */
function machineIdleMs(): number {
  const f = (readText('/proc/stat').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return (((f[3] ?? 0) + (f[4] ?? 0)) * 1000) / kClockTicks;
}

interface Snapshot {
  at: number;
  machineIdleMs: number;
  gateway: StatLine | null;
  threads: Map<number, ThreadSample>;
  browser: Map<number, ProcSample>;
  self: NodeJS.CpuUsage;
}

function snapshot(gatewayPid: number): Snapshot {
  return {
    at: performance.now(),
    machineIdleMs: machineIdleMs(),
    gateway: readStat(`/proc/${gatewayPid}/stat`),
    threads: sampleThreads(gatewayPid),
    browser: sampleDescendants(process.pid, gatewayPid),
    self: process.cpuUsage(),
  };
}

// ---------------------------------------------------------------------------------------------
// Gateway process

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A window of `size` UDP ports that all bind on 127.0.0.1 right now. */
async function freeUdpRange(size: number): Promise<[number, number]> {
  const tryBind = (port: number): Promise<Socket | null> =>
    new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(null);
      });
      s.bind(port, '127.0.0.1', () => resolve(s));
    });
  for (let start = 40000; start + size <= 60000; start += size) {
    const sockets = await Promise.all(Array.from({ length: size }, (_, i) => tryBind(start + i)));
    await Promise.all(sockets.map((s) => (s ? new Promise<void>((r) => s.close(() => r())) : undefined)));
    if (sockets.every((s) => s !== null)) return [start, start + size - 1];
  }
  throw new Error(`no free window of ${size} UDP ports in 40000-59999`);
}

interface GatewayProcess {
  child: ChildProcess;
  pid: number;
  origin: string;
  output(): string;
  stop(): Promise<void>;
}

interface GatewayStatus {
  portsInUse: number;
  portsTotal: number;
  calls: number;
}

async function getStatus(origin: string): Promise<GatewayStatus> {
  const res = await fetch(`${origin}/status`);
  if (!res.ok) throw new Error(`/status answered ${res.status}`);
  return (await res.json()) as GatewayStatus;
}

async function startGatewayProcess(calls: number): Promise<GatewayProcess> {
  for (const f of ['dist/cli.js', 'dist/sdk/rtcgate.js', 'dist/demo/index.html', 'build/Release/rtcgate.node']) {
    if (!existsSync(`${kRoot}${f}`)) throw new Error(`${f} is missing: run npm run build:native and npm run build:ts first`);
  }
  const httpPort = await freeTcpPort();
  const [minPort, maxPort] = await freeUdpRange(Math.max(100, 2 * calls));
  const child = spawn(
    process.execPath,
    [
      'bin/rtcgate.js', 'serve',
      '--http-port', String(httpPort),
      '--http-address', '127.0.0.1',
      '--web-ice-addresses', '127.0.0.1',
      '--rtp-bind-address', '127.0.0.1',
      '--web-rtp-min-port', String(minPort),
      '--web-rtp-max-port', String(maxPort),
      '--log-level', 'warn',
    ],
    { cwd: kRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const origin = `http://127.0.0.1:${httpPort}`;

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (hasExited) throw new Error(`gateway exited during start-up:\n${log}`);
    try {
      await getStatus(origin);
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`gateway did not answer /status within 15 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (child.pid === undefined) throw new Error('gateway has no pid');
  return { child, pid: child.pid, origin, output: () => log, stop };
}

// ---------------------------------------------------------------------------------------------
// In the page. Split in two so the bench, not the page, decides when the media phase starts and
// ends: the CPU windows are then exact. Self-contained: each runs serialised inside Chromium.

interface PlaceArgs {
  count: number;
  video: boolean;
}

interface PageCall {
  setupMs: number;
  failed: string | null;
}

interface PageReport {
  setupMs: number;
  dtlsState: string | null;
  remoteAddress: string | null;
  audioPacketsSent: number;
  audioPacketsReceived: number;
  audioPacketsLost: number;
  jitterMs: number | null;
  totalAudioEnergy: number;
  videoFramesDecoded: number;
  endReason: string | null;
}

async function placeCalls(args: PlaceArgs): Promise<PageCall[]> {
  type SdkCall = {
    state: string;
    endReason: string | null;
    peerConnection: RTCPeerConnection;
    remoteStream: MediaStream;
    hangup(): void;
    on(event: 'state', handler: (state: string) => void): void;
  };
  type SdkGateway = {
    signIn(id: string): Promise<unknown>;
    call(target: string, options: { audio: boolean; video: boolean }): Promise<SdkCall>;
    close(): void;
  };
  type Sdk = { connect(): Promise<SdkGateway> };
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as Sdk;
  const gw = await sdk.connect();
  await gw.signIn('Anon');
  const placed: { call: SdkCall | null; setupMs: number }[] = [];
  const results = await Promise.all(
    Array.from({ length: args.count }, async (): Promise<PageCall> => {
      const started = performance.now();
      const entry: { call: SdkCall | null; setupMs: number } = { call: null, setupMs: NaN };
      placed.push(entry);
      try {
        const call = await gw.call('self', { audio: true, video: args.video });
        entry.call = call;
        const audio = document.createElement('audio'); // audio levels stay 0 unless played
        audio.autoplay = true;
        audio.srcObject = call.remoteStream;
        document.body.append(audio);
        if (args.video) {
          const video = document.createElement('video');
          video.autoplay = true;
          video.muted = true;
          video.srcObject = call.remoteStream;
          document.body.append(video);
        }
        await new Promise<void>((resolve, reject) => {
          if (call.state === 'connected') return resolve();
          const timer = setTimeout(() => reject(new Error(`stuck in ${call.state}`)), 20_000);
          call.on('state', (s) => {
            if (s === 'connected') {
              clearTimeout(timer);
              resolve();
            } else if (s === 'ended') {
              clearTimeout(timer);
              reject(new Error(`ended: ${String(call.endReason)}`));
            }
          });
        });
        entry.setupMs = performance.now() - started;
        return { setupMs: entry.setupMs, failed: null };
      } catch (err) {
        return { setupMs: NaN, failed: String(err) };
      }
    }),
  );
  (globalThis as unknown as { benchState: unknown }).benchState = { gw, placed };
  return results;
}

async function collectAndHangUp(): Promise<PageReport[]> {
  type SdkCall = { state: string; endReason: string | null; peerConnection: RTCPeerConnection; hangup(): void; on(e: 'state', h: (s: string) => void): void };
  const state = (globalThis as unknown as { benchState: { gw: { close(): void }; placed: { call: SdkCall | null; setupMs: number }[] } }).benchState;
  const reports: PageReport[] = [];
  for (const { call, setupMs } of state.placed) {
    const r: PageReport = {
      setupMs,
      dtlsState: null,
      remoteAddress: null,
      audioPacketsSent: 0,
      audioPacketsReceived: 0,
      audioPacketsLost: 0,
      jitterMs: null,
      totalAudioEnergy: 0,
      videoFramesDecoded: 0,
      endReason: null,
    };
    reports.push(r);
    if (!call) continue;
    const byId = new Map<string, Record<string, unknown>>();
    (await call.peerConnection.getStats()).forEach((s: Record<string, unknown>) => byId.set(String(s['id']), s));
    for (const s of byId.values()) {
      if (s['type'] === 'transport') {
        r.dtlsState = String(s['dtlsState']);
        const pair = byId.get(String(s['selectedCandidatePairId']));
        const remote = pair ? byId.get(String(pair['remoteCandidateId'])) : undefined;
        if (remote) r.remoteAddress = `${String(remote['address'])}:${String(remote['port'])}`;
      } else if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') {
        r.audioPacketsReceived = Number(s['packetsReceived'] ?? 0);
        r.audioPacketsLost = Number(s['packetsLost'] ?? 0);
        r.jitterMs = typeof s['jitter'] === 'number' ? s['jitter'] * 1000 : null;
        r.totalAudioEnergy = Number(s['totalAudioEnergy'] ?? 0);
      } else if (s['type'] === 'outbound-rtp' && s['kind'] === 'audio') {
        r.audioPacketsSent = Number(s['packetsSent'] ?? 0);
      } else if (s['type'] === 'inbound-rtp' && s['kind'] === 'video') {
        r.videoFramesDecoded = Number(s['framesDecoded'] ?? 0);
      }
    }
  }
  const ended = state.placed.map(({ call }) =>
    call === null || call.state === 'ended'
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          call.on('state', (s) => {
            if (s === 'ended') {
              clearTimeout(timer);
              resolve();
            }
          });
        }),
  );
  for (const { call } of state.placed) call?.hangup();
  await Promise.all(ended);
  state.placed.forEach(({ call }, i) => {
    const r = reports[i];
    if (r && call) r.endReason = call.endReason;
  });
  state.gw.close();
  return reports;
}

// ---------------------------------------------------------------------------------------------
// Figures

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

const f0 = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '–');
const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '–');

function chromiumVersion(): string {
  const r = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim() || 'unknown';
}

function cpuModel(): string {
  return cpus()[0]?.model.trim() ?? 'unknown';
}

interface CpuWindow {
  wallMs: number;
  gatewayMs: number;
}

/** The gateway's CPU between two snapshots: per-thread ns counters, threads born in between count from zero. */
function gatewayWindow(a: Snapshot, b: Snapshot): CpuWindow {
  let gatewayMs = 0;
  for (const [tid, t] of b.threads) gatewayMs += t.cpuMs - (a.threads.get(tid)?.cpuMs ?? 0);
  return { wallMs: b.at - a.at, gatewayMs };
}

function report(args: BenchArgs, gw: GatewayProcess, setup: PageCall[], pages: PageReport[], idle0: Snapshot, s0: Snapshot, s1: Snapshot, s2: Snapshot, rss: { gateway: number; gatewayPeak: number; browser: number }, after: GatewayStatus | null, portsUpDuringMedia: number | null): string {
  const lines: string[] = [];
  const out = (s = ''): void => void lines.push(s);
  const n = args.calls;
  const idle = gatewayWindow(idle0, s0);
  const setupPhase = gatewayWindow(s0, s1);
  const media = gatewayWindow(s1, s2);
  const wallS = media.wallMs / 1000;

  out(`## Loop-back bench: ${n} ${args.video ? 'audio+video' : 'audio'} call${n === 1 ? '' : 's'} × ${args.seconds} s`);
  out();
  out(`- date: ${new Date().toISOString()}`);
  out(`- machine: ${cpus().length} cores (${cpuModel()}), Node ${process.version}, ${chromiumVersion()}`);
  out(`- gateway: \`node bin/rtcgate.js serve\` as a separate process (pid ${gw.pid}), default worker count, on 127.0.0.1`);
  out(`- load average at the end: ${readText('/proc/loadavg').split(' ').slice(0, 3).join(' ')}`);
  out(`- network: ${process.env['RTCGATE_NETNS'] !== undefined ? 'private namespace (`unshare -n`, only lo)' : 'host namespace'}`);
  out();

  const ok = setup.filter((c) => c.failed === null);
  const times = ok.map((c) => c.setupMs).sort((a, b) => a - b);
  out(`### Set-up: call() → state 'connected', seen by the page (all ${n} started at once)`);
  out();
  out('| calls connected | median | p90 | max | min |');
  out('| --- | --- | --- | --- | --- |');
  out(`| ${ok.length} / ${n} | ${f0(quantile(times, 0.5))} ms | ${f0(quantile(times, 0.9))} ms | ${f0(times[times.length - 1] ?? NaN)} ms | ${f0(times[0] ?? NaN)} ms |`);
  out();
  out(`Per call (ms, in placing order): ${setup.map((c) => (c.failed === null ? f0(c.setupMs) : `FAILED (${c.failed})`)).join(', ')}`);
  out();
  out(`Gateway CPU with no call (${f1(idle.wallMs / 1000)} s before the calls, a few seconds after its start): ${f2(idle.gatewayMs / (idle.wallMs / 1000))} ms per s.`);
  out();
  out(`Gateway CPU during set-up: ${f0(setupPhase.gatewayMs)} ms over ${f0(setupPhase.wallMs)} ms wall (${f0(setupPhase.gatewayMs / Math.max(1, ok.length))} ms per call, including DTLS handshakes and signaling).`);
  out();

  out(`### Media phase: ${f1(wallS)} s wall`);
  out();
  out(`CPU from /proc: the gateway's threads from \`task/*/schedstat\` (ns); Chromium's processes from \`stat\` utime + stime (${f0(1000 / kClockTicks)} ms ticks); the machine as cores × wall − idle from \`/proc/stat\`.`);
  const statMs = (s2.gateway?.cpuMs ?? NaN) - (s1.gateway?.cpuMs ?? NaN);
  out();
  out('| process | % of one core | ms CPU per s | ms CPU per s per call |');
  out('| --- | --- | --- | --- |');
  const row = (name: string, cpuMs: number): void =>
    out(`| ${name} | ${f1((cpuMs / media.wallMs) * 100)} % | ${f1(cpuMs / wallS)} | ${f2(cpuMs / wallS / n)} |`);
  row('gateway (all threads)', media.gatewayMs);
  if (Math.abs(statMs - media.gatewayMs) > 2 * (1000 / kClockTicks) + 0.05 * media.gatewayMs)
    out(`| (gateway from \`stat\` ticks, for comparison) | ${f1((statMs / media.wallMs) * 100)} % | ${f1(statMs / wallS)} | ${f2(statMs / wallS / n)} |`);

  // Chromium: processes alive at both samples; those born in between count from zero.
  const byKind = new Map<string, { count: number; cpuMs: number }>();
  let browserMs = 0;
  for (const [pid, p] of s2.browser) {
    const d = p.cpuMs - (s1.browser.get(pid)?.cpuMs ?? 0);
    browserMs += d;
    const k = byKind.get(p.kind) ?? { count: 0, cpuMs: 0 };
    k.count++;
    k.cpuMs += d;
    byKind.set(p.kind, k);
  }
  row(`Chromium (${s2.browser.size} processes, sum)`, browserMs);
  const selfMs = (s2.self.user + s2.self.system - s1.self.user - s1.self.system) / 1000;
  row('bench driver (this Node process, playwright)', selfMs);
  const machineMs = cpus().length * media.wallMs - (s2.machineIdleMs - s1.machineIdleMs);
  row('everything else on the machine (other users\' builds and tests, kernel)', machineMs - media.gatewayMs - browserMs - selfMs);
  out(`| whole machine (${cpus().length} cores) | ${f1((machineMs / media.wallMs) * 100)} % | ${f1(machineMs / wallS)} | – |`);
  out();
  out(`Gateway memory: RSS ${f1(rss.gateway / 1024)} MiB at the end of the media phase, peak (VmHWM) ${f1(rss.gatewayPeak / 1024)} MiB. Chromium RSS (sum over processes, shared pages counted again) ${f0(rss.browser / 1024)} MiB.`);
  if (portsUpDuringMedia !== null) out(`Gateway /status during media: ${portsUpDuringMedia} ports in use.`);
  out();

  out('#### Gateway threads over the media phase');
  out();
  out('| thread (comm) | threads | % of one core | ms CPU per s per call | sleeps (voluntary switches) per s | idle gateway, ms CPU per s |');
  out('| --- | --- | --- | --- | --- | --- |');
  const byName = new Map<string, { count: number; cpuMs: number; sleeps: number; idleMs: number }>();
  for (const [tid, t] of s2.threads) {
    const name = tid === gw.pid ? `${t.name} (main thread: JS, signaling, N-API)` : t.name === 'node' ? 'node (other: V8 platform, libuv pool)' : t.name;
    const d = t.cpuMs - (s1.threads.get(tid)?.cpuMs ?? 0);
    const k = byName.get(name) ?? { count: 0, cpuMs: 0, sleeps: 0, idleMs: 0 };
    k.count++;
    k.cpuMs += d;
    k.sleeps += t.sleeps - (s1.threads.get(tid)?.sleeps ?? 0);
    const atIdleEnd = s0.threads.get(tid);
    if (atIdleEnd) k.idleMs += atIdleEnd.cpuMs - (idle0.threads.get(tid)?.cpuMs ?? 0);
    byName.set(name, k);
  }
  for (const [name, k] of [...byName].sort((a, b) => b[1].cpuMs - a[1].cpuMs)) {
    out(`| ${name} | ${k.count} | ${f1((k.cpuMs / media.wallMs) * 100)} % | ${f2(k.cpuMs / wallS / n)} | ${f0(k.sleeps / wallS)} | ${f2(k.idleMs / (idle.wallMs / 1000))} |`);
  }
  out();

  out('#### Chromium processes over the media phase');
  out();
  out('| kind | processes | % of one core |');
  out('| --- | --- | --- |');
  for (const [kind, k] of [...byKind].sort((a, b) => b[1].cpuMs - a[1].cpuMs)) {
    out(`| ${kind} | ${k.count} | ${f1((k.cpuMs / media.wallMs) * 100)} % |`);
  }
  out();

  const got = pages.map((p) => p.audioPacketsReceived).sort((a, b) => a - b);
  const sent = pages.map((p) => p.audioPacketsSent).sort((a, b) => a - b);
  const echoed = pages.map((p) => (p.audioPacketsSent > 0 ? p.audioPacketsReceived / p.audioPacketsSent : NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  const lost = pages.reduce((s, p) => s + Math.max(0, p.audioPacketsLost), 0);
  const jitters = pages.map((p) => p.jitterMs ?? NaN).filter(Number.isFinite).sort((a, b) => a - b);
  out('### Media seen by Chromium (getStats at the end of the media phase)');
  out();
  out(`- DTLS connected: ${pages.filter((p) => p.dtlsState === 'connected').length} / ${n}; remote candidates on 127.0.0.1: ${pages.filter((p) => p.remoteAddress?.startsWith('127.0.0.1:') === true).length} / ${n}`);
  out(`- audio packets received per call: min ${f0(got[0] ?? NaN)}, median ${f0(quantile(got, 0.5))}, max ${f0(got[got.length - 1] ?? NaN)} (set-up plus ${args.seconds} s at 50/s); lost in total: ${lost}; jitter max ${f1(jitters[jitters.length - 1] ?? NaN)} ms`);
  out(`- audio packets sent per call: min ${f0(sent[0] ?? NaN)}, median ${f0(quantile(sent, 0.5))}, max ${f0(sent[sent.length - 1] ?? NaN)}; received ÷ sent per call: min ${f2(echoed[0] ?? NaN)}, max ${f2(echoed[echoed.length - 1] ?? NaN)} (below 50/s sent means Chromium's own capture/encode fell behind, not the gateway)`);
  out(`- calls with audio energy > 0: ${pages.filter((p) => p.totalAudioEnergy > 0).length} / ${n}`);
  if (args.video) out(`- video frames decoded per call: min ${f0(Math.min(...pages.map((p) => p.videoFramesDecoded)))}`);
  out(`- ended by hang-up: ${pages.filter((p) => p.endReason === 'hangup').length} / ${n}`);
  out(`- after hang-up, /status: ${after === null ? 'not reached' : `${after.portsInUse} ports in use, ${after.calls} calls`}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.hostNet) {
    const code = reexecInNamespace();
    if (code !== null) return code;
  }
  const gw = await startGatewayProcess(args.calls);
  const browser = await launchChromium().catch(async (err: unknown) => {
    await gw.stop();
    throw err;
  });
  try {
    const page = await openPage(browser, gw.origin + '/');
    // The gateway with no call, for its fixed cost (timers, idle loops).
    const idle0 = snapshot(gw.pid);
    await new Promise((r) => setTimeout(r, kIdleMs));
    const s0 = snapshot(gw.pid);
    const setup = await page.evaluate(placeCalls, { count: args.calls, video: args.video });
    const s1 = snapshot(gw.pid);
    const failed = setup.filter((c) => c.failed !== null).length;
    if (failed > 0) console.error(`${failed} call(s) did not connect`);
    // Half-way through, ask the gateway how many ports it holds (one HTTP request, off the window's edges).
    let portsUp: number | null = null;
    await new Promise((r) => setTimeout(r, (args.seconds * 1000) / 2));
    portsUp = (await getStatus(gw.origin)).portsInUse;
    await new Promise((r) => setTimeout(r, args.seconds * 1000 - (performance.now() - s1.at)));
    const s2 = snapshot(gw.pid);
    const rss = {
      gateway: statusKiB(gw.pid, 'VmRSS'),
      gatewayPeak: statusKiB(gw.pid, 'VmHWM'),
      browser: [...s2.browser.values()].reduce((s, p) => s + p.rssKiB, 0),
    };
    const pages = await page.evaluate(collectAndHangUp);
    await page.close();
    let after: GatewayStatus | null = null;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      after = await getStatus(gw.origin);
      if (after.portsInUse === 0 && after.calls === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(report(args, gw, setup, pages, idle0, s0, s1, s2, rss, after, portsUp));
    return failed === 0 && after?.portsInUse === 0 ? 0 : 1;
  } finally {
    await browser.close();
    await gw.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

// The demo page's script (dist/demo/demo.js). The SDK is loaded at run time from the gateway's
// /sdk/rtcgate.js; the type-only import below gives this file its types without bundling it.

import type { Call, Gateway, GatewayError } from '../sdk/rtcgate.js';

const kSdkUrl: string = '/sdk/rtcgate.js';
const sdk = (await import(kSdkUrl)) as typeof import('../sdk/rtcgate.js');

function el<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`demo: #${id} missing`);
  return node as T;
}

const ui = {
  userId: el<HTMLInputElement>('userId'),
  signIn: el<HTMLButtonElement>('signIn'),
  signOut: el<HTMLButtonElement>('signOut'),
  target: el<HTMLInputElement>('target'),
  video: el<HTMLInputElement>('video'),
  call: el<HTMLButtonElement>('call'),
  hangup: el<HTMLButtonElement>('hangup'),
  hold: el<HTMLButtonElement>('hold'),
  resume: el<HTMLButtonElement>('resume'),
  dtmf: el<HTMLInputElement>('dtmf'),
  sendDtmf: el<HTMLButtonElement>('sendDtmf'),
  data: el<HTMLInputElement>('data'),
  sendData: el<HTMLButtonElement>('sendData'),
  remoteHold: el<HTMLSpanElement>('remoteHold'),
  transferTarget: el<HTMLInputElement>('transferTarget'),
  transfer: el<HTMLButtonElement>('transfer'),
  incoming: el<HTMLDivElement>('incoming'),
  incomingFrom: el<HTMLElement>('incomingFrom'),
  answer: el<HTMLButtonElement>('answer'),
  reject: el<HTMLButtonElement>('reject'),
  status: el<HTMLDivElement>('status'),
  localVideo: el<HTMLVideoElement>('localVideo'),
  remoteVideo: el<HTMLVideoElement>('remoteVideo'),
  remoteAudio: el<HTMLAudioElement>('remoteAudio'),
  statsAudio: el<HTMLTableRowElement>('stats-audio'),
  statsVideo: el<HTMLTableRowElement>('stats-video'),
};

let gateway: Gateway | undefined;
let signedIn = false;
let current: Call | undefined;
let ringing: Call | undefined;
let statsTimer: ReturnType<typeof setInterval> | undefined;

function setStatus(text: string, tone: 'info' | 'ok' | 'error' = 'info'): void {
  ui.status.textContent = text;
  ui.status.className = tone === 'info' ? '' : tone;
}

function describeError(err: unknown): string {
  if (err instanceof sdk.GatewayError) return `${(err as GatewayError).code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function refreshButtons(): void {
  const inCall = current !== undefined && current.state !== 'ended';
  ui.signIn.disabled = gateway === undefined || signedIn;
  ui.signOut.disabled = !signedIn || inCall;
  ui.call.disabled = !signedIn || inCall;
  ui.hangup.disabled = !inCall;
  const connected = current !== undefined && current.state === 'connected';
  // Hold and data need a SIP call (the loop-back targets have no far end to tell).
  const sipCall = connected && current !== undefined && !current.peer.startsWith('self');
  ui.hold.disabled = !sipCall;
  ui.resume.disabled = !sipCall;
  ui.sendData.disabled = !sipCall;
  ui.transfer.disabled = !sipCall;
  ui.sendDtmf.disabled = !connected;
  ui.incoming.style.display = ringing !== undefined && ringing.state === 'ringing' ? 'block' : 'none';
}

function attachCall(call: Call): void {
  current = call;
  ui.remoteVideo.srcObject = call.remoteStream;
  ui.remoteAudio.srcObject = call.remoteStream;
  ui.localVideo.srcObject = call.localStream ?? null;
  call.on('track', () => {
    // Re-assigning nudges autoplay when a track arrives after the element started.
    ui.remoteAudio.srcObject = call.remoteStream;
    ui.remoteVideo.srcObject = call.remoteStream;
    void ui.remoteAudio.play().catch(() => undefined);
  });
  call.on('state', (state, reason) => showState(call, state, reason));
  call.on('error', (err) => setStatus(`Call error — ${describeError(err)}`, 'error'));
  call.on('remoteHold', (held) => (ui.remoteHold.textContent = held ? 'The other side put you on hold' : ''));
  call.on('data', (data) => setStatus(`Data from ${call.peer}: ${new URLSearchParams(data).toString()}`, 'ok'));
  startStats(call);
  // The gateway may have moved the call on before we got here (e.g. 'connected' right after the answer).
  showState(call, call.state, call.endReason);
}

function showState(call: Call, state: Call['state'], reason: string | undefined): void {
  if (state === 'connected') setStatus(`Connected with ${call.peer}`, 'ok');
  else if (state === 'ringing') setStatus(`Ringing ${call.peer}…`);
  else if (state === 'connecting') setStatus(`Connecting to ${call.peer}…`);
  else {
    setStatus(`Call ended${reason !== undefined ? ` (${reason})` : ''}`);
    stopStats();
    ui.localVideo.srcObject = null;
  }
  refreshButtons();
}

ui.signIn.addEventListener('click', async () => {
  if (gateway === undefined) return;
  try {
    const who = await gateway.signIn(ui.userId.value.trim() || 'Anon');
    signedIn = true;
    setStatus(`Signed in as ${who.id}${who.anonymous ? ' (anonymous)' : ''}`, 'ok');
  } catch (err) {
    setStatus(`Sign-in failed — ${describeError(err)}`, 'error');
  }
  refreshButtons();
});

ui.signOut.addEventListener('click', async () => {
  try {
    await gateway?.signOut();
    signedIn = false;
    setStatus('Signed out');
  } catch (err) {
    setStatus(`Sign-out failed — ${describeError(err)}`, 'error');
  }
  refreshButtons();
});

ui.call.addEventListener('click', async () => {
  if (gateway === undefined) return;
  const target = ui.target.value.trim() || 'self';
  setStatus(`Calling ${target}…`);
  ui.call.disabled = true;
  try {
    attachCall(await gateway.call(target, { audio: true, video: ui.video.checked }));
  } catch (err) {
    setStatus(`Call failed — ${describeError(err)}`, 'error');
  }
  refreshButtons();
});

ui.hangup.addEventListener('click', () => {
  current?.hangup();
  refreshButtons();
});

ui.hold.addEventListener('click', () => {
  current?.hold().then(() => setStatus('On hold'), (err: unknown) => setStatus(`Hold failed — ${describeError(err)}`, 'error'));
});

ui.resume.addEventListener('click', () => {
  current?.resume().then(() => setStatus('Resumed', 'ok'), (err: unknown) => setStatus(`Resume failed — ${describeError(err)}`, 'error'));
});

ui.sendDtmf.addEventListener('click', () => {
  try {
    current?.sendDtmf(ui.dtmf.value.trim());
  } catch (err) {
    setStatus(`DTMF failed — ${describeError(err)}`, 'error');
  }
});

ui.sendData.addEventListener('click', () => {
  const data = Object.fromEntries(new URLSearchParams(ui.data.value.trim()));
  current?.sendData(data).then(() => setStatus('Data sent', 'ok'), (err: unknown) => setStatus(`Data failed — ${describeError(err)}`, 'error'));
});

ui.transfer.addEventListener('click', () => {
  const target = ui.transferTarget.value.trim();
  if (target === '') return;
  current?.transfer(target).then(
    () => setStatus(`Transfer to ${target} accepted`, 'ok'),
    (err: unknown) => setStatus(`Transfer failed — ${describeError(err)}`, 'error'),
  );
});

ui.answer.addEventListener('click', async () => {
  const call = ringing;
  if (call === undefined) return;
  ringing = undefined;
  try {
    attachCall(call);
    await call.answer({ audio: true, video: ui.video.checked });
    ui.localVideo.srcObject = call.localStream ?? null;
  } catch (err) {
    setStatus(`Answer failed — ${describeError(err)}`, 'error');
  }
  refreshButtons();
});

ui.reject.addEventListener('click', () => {
  ringing?.reject();
  ringing = undefined;
  setStatus('Call rejected');
  refreshButtons();
});

// ---------------------------------------------------------------------------------------------
// Statistics: one row per kind, merged from outbound-rtp, inbound-rtp, remote-inbound-rtp,
// codec and the selected candidate pair.

interface Row {
  codec?: string;
  sent?: number;
  received?: number;
  lost?: number;
  jitterMs?: number;
  rttMs?: number;
  audioLevel?: number;
  framesDecoded?: number;
}

type Stat = Record<string, unknown>;
const num = (s: Stat, key: string): number | undefined => (typeof s[key] === 'number' ? (s[key] as number) : undefined);
const str = (s: Stat, key: string): string | undefined => (typeof s[key] === 'string' ? (s[key] as string) : undefined);

async function collect(pc: RTCPeerConnection): Promise<{ audio: Row; video: Row }> {
  const report = await pc.getStats();
  const all = new Map<string, Stat>();
  report.forEach((value: unknown, id: string) => {
    if (typeof value === 'object' && value !== null) all.set(id, value as Stat);
  });
  const rows = { audio: {} as Row, video: {} as Row };
  let pairRttMs: number | undefined;
  const codecName = (s: Stat): string | undefined => {
    const codecId = str(s, 'codecId');
    const codec = codecId !== undefined ? all.get(codecId) : undefined;
    if (codec === undefined) return undefined;
    const mime = (str(codec, 'mimeType') ?? '').replace(/^(audio|video)\//, '');
    return `${mime} ${num(codec, 'clockRate') ?? ''} (pt ${num(codec, 'payloadType') ?? '?'})`;
  };
  for (const s of all.values()) {
    const kind = str(s, 'kind');
    const row = kind === 'audio' || kind === 'video' ? rows[kind] : undefined;
    switch (str(s, 'type')) {
      case 'outbound-rtp':
        if (row === undefined) break;
        row.sent = (row.sent ?? 0) + (num(s, 'packetsSent') ?? 0);
        row.codec ??= codecName(s);
        break;
      case 'inbound-rtp':
        if (row === undefined) break;
        row.received = (row.received ?? 0) + (num(s, 'packetsReceived') ?? 0);
        row.lost = (row.lost ?? 0) + (num(s, 'packetsLost') ?? 0);
        if (num(s, 'jitter') !== undefined) row.jitterMs = (num(s, 'jitter') ?? 0) * 1000;
        if (num(s, 'audioLevel') !== undefined) row.audioLevel = num(s, 'audioLevel');
        if (num(s, 'framesDecoded') !== undefined) row.framesDecoded = num(s, 'framesDecoded');
        row.codec = codecName(s) ?? row.codec;
        break;
      case 'remote-inbound-rtp':
        if (row !== undefined && num(s, 'roundTripTime') !== undefined) row.rttMs = (num(s, 'roundTripTime') ?? 0) * 1000;
        break;
      case 'candidate-pair':
        if (s['nominated'] === true && str(s, 'state') === 'succeeded' && num(s, 'currentRoundTripTime') !== undefined) {
          pairRttMs = (num(s, 'currentRoundTripTime') ?? 0) * 1000;
        }
        break;
      default:
        break;
    }
  }
  // Without RTCP receiver reports yet, fall back to the ICE consent-check RTT of the selected pair.
  for (const row of [rows.audio, rows.video]) if (row.rttMs === undefined && (row.sent ?? row.received) !== undefined) row.rttMs = pairRttMs;
  return rows;
}

function render(tr: HTMLTableRowElement, kind: string, row: Row): void {
  const cell = (v: number | string | undefined, digits = 0): string =>
    v === undefined ? '—' : typeof v === 'number' ? v.toFixed(digits) : v;
  const values = [
    kind,
    cell(row.codec),
    cell(row.sent),
    cell(row.received),
    cell(row.lost),
    cell(row.jitterMs, 1),
    cell(row.rttMs, 1),
    cell(row.audioLevel, 3),
    cell(row.framesDecoded),
  ];
  tr.replaceChildren(
    ...values.map((v) => {
      const td = document.createElement('td');
      td.textContent = v;
      return td;
    }),
  );
}

function startStats(call: Call): void {
  stopStats();
  statsTimer = setInterval(() => {
    if (call.state === 'ended') return;
    let pc: RTCPeerConnection;
    try {
      pc = call.peerConnection;
    } catch {
      return; // media not set up yet
    }
    collect(pc).then(
      (rows) => {
        render(ui.statsAudio, 'audio', rows.audio);
        render(ui.statsVideo, 'video', rows.video);
      },
      () => undefined,
    );
  }, 1000);
}

function stopStats(): void {
  if (statsTimer !== undefined) clearInterval(statsTimer);
  statsTimer = undefined;
}

// ---------------------------------------------------------------------------------------------

try {
  gateway = await sdk.connect();
  setStatus(`Connected to ${gateway.server || 'the gateway'} — sign in to call`);
  gateway.on('incoming', (call) => {
    if (current !== undefined && current.state !== 'ended') {
      call.reject(); // one call at a time in this demo
      return;
    }
    ringing = call;
    ui.incomingFrom.textContent = call.peer;
    setStatus(`Incoming call from ${call.peer}`);
    call.on('state', () => refreshButtons());
    refreshButtons();
  });
  gateway.on('close', (code) => {
    gateway = undefined;
    signedIn = false;
    setStatus(`Disconnected from the gateway (${code}) — reload the page to reconnect`, 'error');
    refreshButtons();
  });
  gateway.on('error', (err) => setStatus(`Gateway error — ${describeError(err)}`, 'error'));
} catch (err) {
  setStatus(`Cannot reach the gateway — ${describeError(err)}`, 'error');
}
refreshButtons();

// For automated tests: the current call and gateway.
Object.assign(window, { rtcgateDemo: { get gateway() { return gateway; }, get call() { return current; } } });

// Page functions for dtmf.test.ts, run inside Chromium by page.evaluate (each is serialised on
// its own, so each is self-contained). No SDK and no signaling: the page makes a bare
// RTCPeerConnection, hands its offer to the test, which answers it through the engine API;
// the connection is parked on window.__rtcgateDtmf for the later calls.

export interface ToneChange {
  tone: string;
  atMs: number;
}

export interface PlayedTones {
  canInsertDTMF: boolean;
  changes: ToneChange[];
}

export interface InboundReport {
  packetsReceived: number;
  bytesReceived: number;
  totalAudioEnergy: number;
  concealedSamples: number;
  /** The codec stats Chromium exposes (only codecs some RTP stream references). */
  codecs: Array<{ payloadType: number; mimeType: string; clockRate: number }>;
}

type Parked = { pc: RTCPeerConnection; stream: MediaStream };

/** getUserMedia (fake device) → one audio track → offer, with ICE gathering done. */
export async function createDtmfOffer(): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  const pc = new RTCPeerConnection();
  for (const track of stream.getAudioTracks()) pc.addTrack(track, stream);
  // Remote audio must reach an <audio> element or Chromium reports no audio level/energy.
  pc.ontrack = (e) => {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    document.body.append(audio);
  };
  (window as unknown as Record<string, Parked>)['__rtcgateDtmf'] = { pc, stream };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return pc.localDescription?.sdp ?? '';
}

/** Applies the gateway's answer and waits for the connection (ICE + DTLS) to be up. */
export async function applyDtmfAnswer(sdp: string): Promise<string> {
  const { pc } = (window as unknown as Record<string, Parked>)['__rtcgateDtmf']!;
  await pc.setRemoteDescription({ type: 'answer', sdp });
  return new Promise<string>((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve(pc.connectionState);
    const timer = setTimeout(() => reject(new Error(`connection stuck in ${pc.connectionState}`)), 10000);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') {
        clearTimeout(timer);
        resolve(pc.connectionState);
      } else if (pc.connectionState === 'failed') {
        clearTimeout(timer);
        reject(new Error('connection failed'));
      }
    });
  });
}

/** RTCDTMFSender.insertDTMF; resolves when the tone buffer has played out (tonechange ""). */
export async function playDtmf(args: { tones: string; durationMs: number; gapMs: number }): Promise<PlayedTones> {
  const { pc } = (window as unknown as Record<string, Parked>)['__rtcgateDtmf']!;
  const dtmf = pc.getSenders().find((s) => s.track?.kind === 'audio')?.dtmf;
  if (!dtmf) return { canInsertDTMF: false, changes: [] };
  const canInsertDTMF = dtmf.canInsertDTMF;
  const changes: ToneChange[] = [];
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tones not played out: ${JSON.stringify(changes)}`)), 10000);
    dtmf.addEventListener('tonechange', (e) => {
      const tone = (e as RTCDTMFToneChangeEvent).tone;
      changes.push({ tone, atMs: performance.now() - t0 });
      if (tone === '') {
        clearTimeout(timer);
        resolve();
      }
    });
    dtmf.insertDTMF(args.tones, args.durationMs, args.gapMs);
  });
  return { canInsertDTMF, changes };
}

/** The inbound audio stream's counters (inbound-rtp counts every packet of the SSRC, events too). */
export async function readDtmfInbound(): Promise<InboundReport> {
  const { pc } = (window as unknown as Record<string, Parked>)['__rtcgateDtmf']!;
  const report: InboundReport = { packetsReceived: 0, bytesReceived: 0, totalAudioEnergy: 0, concealedSamples: 0, codecs: [] };
  const stats = await pc.getStats();
  stats.forEach((s: Record<string, unknown>) => {
    if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') {
      report.packetsReceived = Number(s['packetsReceived'] ?? 0);
      report.bytesReceived = Number(s['bytesReceived'] ?? 0);
      report.totalAudioEnergy = Number(s['totalAudioEnergy'] ?? 0);
      report.concealedSamples = Number(s['concealedSamples'] ?? 0);
    } else if (s['type'] === 'codec') {
      report.codecs.push({ payloadType: Number(s['payloadType']), mimeType: String(s['mimeType']), clockRate: Number(s['clockRate']) });
    }
  });
  return report;
}

export function closeDtmfPeer(): void {
  const parked = (window as unknown as Record<string, Parked | undefined>)['__rtcgateDtmf'];
  if (!parked) return;
  parked.pc.close();
  for (const t of parked.stream.getTracks()) t.stop();
}

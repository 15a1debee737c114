// Proves the browser setup on this machine: fake devices, loopback ICE between two
// RTCPeerConnections in one page, audio RTP flowing and audible (audioLevel > 0 via <audio>).

import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { launchChromium, runInPage, serveOnLoopback, type ChromiumHandle, type StaticServer } from './chromium.js';

interface LoopbackResult {
  tracks: string[];
  audioPacketsSent: number;
  audioPacketsReceived: number;
  audioLevel: number;
  videoFramesDecoded: number;
  localCandidateAddresses: string[];
}

describe('Chromium helper', { timeout: 20_000 }, () => {
  let browser: ChromiumHandle;
  let site: StaticServer;

  before(async () => {
    site = await serveOnLoopback({ '/': ['text/html', '<!doctype html><title>loopback</title><audio id="a" autoplay></audio>'] });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('runs getUserMedia and a loopback peer connection pair with audio flowing', async () => {
    const result = await runInPage(
      browser,
      `${site.origin}/`,
      async (): Promise<LoopbackResult> => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        const a = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
        const b = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
        const addresses: string[] = [];
        a.onicecandidate = (e) => {
          if (e.candidate) {
            addresses.push(e.candidate.address ?? '');
            void b.addIceCandidate(e.candidate);
          }
        };
        b.onicecandidate = (e) => {
          if (e.candidate) void a.addIceCandidate(e.candidate);
        };
        const audioEl = document.getElementById('a') as HTMLAudioElement;
        b.ontrack = (e) => {
          if (e.track.kind === 'audio') audioEl.srcObject = new MediaStream([e.track]);
        };
        for (const t of stream.getTracks()) a.addTrack(t, stream);
        await a.setLocalDescription(await a.createOffer());
        await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
        await b.setLocalDescription(await b.createAnswer());
        await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);

        const read = async (): Promise<Omit<LoopbackResult, 'tracks' | 'localCandidateAddresses'>> => {
          const out = { audioPacketsSent: 0, audioPacketsReceived: 0, audioLevel: 0, videoFramesDecoded: 0 };
          (await a.getStats()).forEach((s: { type: string; kind?: string; packetsSent?: number }) => {
            if (s.type === 'outbound-rtp' && s.kind === 'audio') out.audioPacketsSent += s.packetsSent ?? 0;
          });
          (await b.getStats()).forEach(
            (s: { type: string; kind?: string; packetsReceived?: number; audioLevel?: number; framesDecoded?: number }) => {
              if (s.type !== 'inbound-rtp') return;
              if (s.kind === 'audio') {
                out.audioPacketsReceived += s.packetsReceived ?? 0;
                out.audioLevel = Math.max(out.audioLevel, s.audioLevel ?? 0);
              }
              if (s.kind === 'video') out.videoFramesDecoded += s.framesDecoded ?? 0;
            },
          );
          return out;
        };
        const deadline = Date.now() + 10_000;
        let stats = await read();
        while (Date.now() < deadline && (stats.audioPacketsReceived < 50 || stats.audioLevel === 0 || stats.videoFramesDecoded < 5)) {
          await new Promise((r) => setTimeout(r, 250));
          stats = await read();
        }
        a.close();
        b.close();
        for (const t of stream.getTracks()) t.stop();
        return { tracks: stream.getTracks().map((t) => t.kind), localCandidateAddresses: addresses, ...stats };
      },
      undefined,
    );
    assert.deepEqual(result.tracks.sort(), ['audio', 'video']);
    assert.ok(result.audioPacketsSent >= 50, `audio packets sent: ${result.audioPacketsSent}`);
    assert.ok(result.audioPacketsReceived >= 50, `audio packets received: ${result.audioPacketsReceived}`);
    assert.ok(result.audioLevel > 0, 'remote audio attached to <audio> has a level');
    assert.ok(result.videoFramesDecoded >= 5, `video frames decoded: ${result.videoFramesDecoded}`);
    assert.ok(result.localCandidateAddresses.includes('127.0.0.1'), `loopback candidate gathered: ${result.localCandidateAddresses.join(', ')}`);
  });
});

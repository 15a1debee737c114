// WebRTC ↔ SIP with a real SIP peer: SIPp (Debian sip-tester) on 127.0.0.1.
//  - Chromium calls a SIPp UAS that echoes RTP (PCMU only): the browser's Opus is transcoded to
//    PCMU, echoed by SIPp, transcoded back, and the browser hears it.
//  - A SIPp UAC (playing PCMA audio from a capture) calls an id signed in from Chromium, which
//    answers: the browser receives the audio; SIPp hangs up and everything is released.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { freePort, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { loopbackCalls } from './loopbackPage.js';
import { answerIncoming } from './sippPage.js';

const haveSipp = spawnSync('sipp', ['-v']).status !== null;

interface Sipp {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** SIPp's uac_pcap scenario plays pcap/g711a.pcap relative to its working directory; Debian ships the captures in /usr/share/sip-tester. */
function pcapDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rtcgate-sipp-'));
  symlinkSync('/usr/share/sip-tester', join(dir, 'pcap'));
  return dir;
}

function sipp(args: string[], cwd?: string): Sipp {
  const child = spawn('sipp', [...args, '-nostdin', '-trace_err'], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('WebRTC ↔ SIP with SIPp', { skip: haveSipp ? false : 'sipp (Debian sip-tester) is not installed' }, () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;
  let sipPort: number;

  before(async () => {
    sipPort = await freePort();
    // The browser may not use G.711 here, so the SIPp (PCMU/PCMA only) calls must transcode.
    gw = await startTestGateway([
      '--sip-port', String(sipPort),
      '--sip-rtp-min-port', '41600',
      '--sip-rtp-max-port', '41699',
      '--web-disallowed-codecs', '(h264,pcmu,pcma,g722)',
    ]);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw?.gateway.stop();
  });

  test('browser → SIPp UAS echoing RTP: audio comes back transcoded Opus ↔ PCMU', async (t) => {
    const uasPort = await freePort();
    const uas = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-mp', String(await freePort()), '-rtp_echo', '-m', '1']);
    try {
      const page = await openPage(browser, gw.origin + '/');
      const [report] = await page.evaluate(loopbackCalls, { count: 1, video: false, seconds: 6, target: `sip:echo@127.0.0.1:${uasPort}` });
      await page.close();
      assert.ok(report);
      t.diagnostic(`browser: ${report.audioPacketsReceived} packets, energy ${report.totalAudioEnergy.toFixed(3)}, codec ${String(report.codec)}`);
      assert.equal(report.dtlsState, 'connected');
      assert.equal(report.codec, 'audio/opus');
      assert.ok(report.audioPacketsReceived > 200, `audio packets received ${report.audioPacketsReceived}`);
      assert.ok(report.totalAudioEnergy > 0, 'the echo carries audio energy');
      assert.equal(report.endReason, 'hangup');
      // Our BYE ends SIPp's one call: it exits 0 when the call succeeded.
      const code = await Promise.race([uas.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10000))]);
      assert.equal(code, 0, uas.output.join('').slice(-2000));
      assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0 && gw.gateway.engine.sipPortsInUse() === 0, 3000), 'ports back');
    } finally {
      uas.child.kill();
    }
  });

  test('SIPp UAC (PCMA audio) → browser signed in as a DN: RTP reaches the browser; BYE from SIPp releases everything', async (t) => {
    const page = await openPage(browser, gw.origin + '/');
    const answered = page.evaluate(answerIncoming, { id: '8101', seconds: 4, waitMs: 20000 });
    await page.waitForFunction(() => (window as unknown as { rtcgateSignedIn?: boolean }).rtcgateSignedIn === true, undefined, { timeout: 10000 });
    const cwd = pcapDir();
    const uac = sipp(['-sn', 'uac_pcap', '-s', '8101', `127.0.0.1:${sipPort}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(await freePort()), '-m', '1'], cwd);
    try {
      const report = await answered;
      await page.close();
      t.diagnostic(`browser: ${report.audioPacketsReceived} packets, energy ${report.totalAudioEnergy.toFixed(3)}, codec ${String(report.codec)}, end ${String(report.endReason)}`);
      assert.ok(report.audioPacketsReceived > 100, `audio packets received ${report.audioPacketsReceived}`);
      assert.ok(report.totalAudioEnergy > 0, 'the played capture carries audio energy');
      assert.equal(report.state, 'ended');
      const code = await Promise.race([uac.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15000))]);
      assert.equal(code, 0, uac.output.join('').slice(-2000));
      assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0 && gw.gateway.engine.sipPortsInUse() === 0, 3000), 'ports back');
      assert.equal(gw.gateway.calls.activeCalls, 0);
    } finally {
      uac.child.kill();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('SIPp UAC with an offerless INVITE (3pcc) → browser: our offer goes in the 200, the ACK answers, the legs are bridged', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'rtcgate-3pcc-'));
    const scenario = join(dir, 'uac_3pcc.xml');
    // SIPp scenario of our own: INVITE without SDP, SDP answer in the ACK, BYE after 3 s.
    writeFileSync(
      scenario,
      `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="offerless INVITE">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="100" optional="true"></recv>
  <recv response="180" optional="true"></recv>
  <recv response="200" rrs="true"></recv>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 2353687637 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

  ]]></send>
  <pause milliseconds="3000"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="200"></recv>
</scenario>
`,
    );
    const page = await openPage(browser, gw.origin + '/');
    const answered = page.evaluate(answerIncoming, { id: '8102', seconds: 2, waitMs: 20000 });
    await page.waitForFunction(() => (window as unknown as { rtcgateSignedIn?: boolean }).rtcgateSignedIn === true, undefined, { timeout: 10000 });
    const uac = sipp(['-sf', scenario, '-s', '8102', `127.0.0.1:${sipPort}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(await freePort()), '-m', '1']);
    try {
      let bridged = false;
      const end = Date.now() + 10000;
      while (Date.now() < end && !bridged) {
        bridged = gw.gateway.engine.bridges.size > 0;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(bridged, 'the ACK answer bridged the legs');
      const report = await answered;
      await page.close();
      t.diagnostic(`browser: state ${report.state}, end ${String(report.endReason)}, codec ${String(report.codec)}`);
      assert.equal(report.state, 'ended');
      const code = await Promise.race([uac.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15000))]);
      assert.equal(code, 0, uac.output.join('').slice(-2000));
      const released = Date.now() + 3000;
      while (Date.now() < released && gw.gateway.engine.sipPortsInUse() > 0) await new Promise((r) => setTimeout(r, 50));
      assert.equal(gw.gateway.engine.portsInUse(), 0);
      assert.equal(gw.gateway.engine.sipPortsInUse(), 0);
    } finally {
      uac.child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

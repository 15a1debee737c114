// The gateway behind a real SIP server: Debian's kamailio as registrar and proxy with digest
// authentication (test/e2e/helpers/kamailio.ts writes its configuration), on 127.0.0.1.
//  1. A browser signing in as a DN in sip-register is registered at kamailio (the REGISTER is
//     challenged and answered with digest); signing out and closing the page unregister it.
//  2. A SIPp UAC calls that DN through kamailio, which finds the gateway's contact; the browser
//     answers, RTP flows, SIPp's BYE releases everything.
//  3. The browser calls a plain DN ("8102"): the INVITE goes to kamailio (407-challenged, answered),
//     which relays it to a SIPp UAS echoing RTP; the audio comes back.
//  4. Failover: sip-proxy names a dead address first and kamailio second. A call first times out
//     on the dead one (Timer B, 64*T1 = 32 s: the gateway exposes no transaction timer option), then
//     the next call goes via kamailio and connects.
// The failover suite runs beside the others (its 32 s wait would otherwise dominate the file).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { freePort, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { haveKamailio, startKamailio, type Kamailio } from './helpers/kamailio.js';
import { kamCall, kamClose, kamSignIn, kamSignOut } from './kamailioPage.js';
import { answerIncoming } from './sippPage.js';

const haveSipp = spawnSync('sipp', ['-v']).status !== null;
const skip = !haveKamailio() ? 'kamailio (Debian kamailio) is not installed' : !haveSipp ? 'sipp (Debian sip-tester) is not installed' : false;

interface Sipp {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function sipp(args: string[], cwd?: string): Sipp {
  const child = spawn('sipp', [...args, '-nostdin', '-trace_err'], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** SIPp's uac_pcap scenario plays pcap/g711a.pcap relative to its working directory; Debian ships the captures in /usr/share/sip-tester. */
function pcapDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rtcgate-sipp-'));
  symlinkSync('/usr/share/sip-tester', join(dir, 'pcap'));
  return dir;
}

function exitCode(s: Sipp, ms: number): Promise<number | null | 'timeout'> {
  return Promise.race([s.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

const portsBack = (gw: TestGateway): boolean => gw.gateway.engine.portsInUse() === 0 && gw.gateway.engine.sipPortsInUse() === 0;

/** Media ports for SIPp: it takes the three ports after its media port too. */
let nextSippMediaPort = 43000;
const sippMediaPort = (): number => (nextSippMediaPort += 10);

describe('gateway behind kamailio (registrar + proxy, digest auth)', { skip, concurrency: true }, () => {
  let kam: Kamailio;
  let browser: ChromiumHandle;
  let echoPort: number; // SIPp UAS for 8102
  let failoverEchoPort: number; // SIPp UAS for 8103

  before(async () => {
    echoPort = await freePort();
    failoverEchoPort = await freePort();
    kam = await startKamailio({
      port: await freePort(),
      subscribers: { '8101': 'secret8101', '8111': 'secret8111' },
      staticRoutes: { '8102': `127.0.0.1:${echoPort}`, '8103': `127.0.0.1:${failoverEchoPort}` },
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await kam?.stop();
  });

  describe('registration and calls through kamailio', { concurrency: 1 }, () => {
    let gw: TestGateway;
    let sipPort: number;

    before(async () => {
      sipPort = await freePort();
      gw = await startTestGateway([
        '--sip-port', String(sipPort),
        '--sip-rtp-min-port', '41600',
        '--sip-rtp-max-port', '41699',
        '--sip-proxy', `127.0.0.1:${kam.port}`,
        '--sip-register', '8100-8199',
        '--sip-register-credentials', '8100-8199:{dn}:secret{dn}',
      ]);
    });

    after(async () => {
      await gw?.gateway.stop();
    });

    test('sign-in registers the DN at kamailio (digest-challenged REGISTER); sign-out removes the contact', async (t) => {
      const contact = new RegExp(`sip:8101@127\\.0\\.0\\.1:${sipPort}\\b`);
      const from = kam.mark();
      const page = await openPage(browser, gw.origin + '/');
      try {
        const signedIn = await page.evaluate(kamSignIn, { id: '8101' });
        assert.deepEqual(signedIn, { id: '8101', anonymous: false });
        await kam.waitFor(/^challenge REGISTER user=8101$/, 5000, from);
        const saved = await kam.waitFor(/^saved user=8101 /, 5000, from);
        t.diagnostic(`kamailio: ${saved}`);
        // The REGISTER that was saved carried an Authorization header (digest answer to the 401).
        const registers = kam.events.slice(from).filter((e) => e.startsWith('REGISTER ') && / from=8101 /.test(e));
        assert.ok(registers.length >= 2, registers.join('\n'));
        assert.match(registers[0] ?? '', / auth=\//, 'the first REGISTER has no credentials');
        assert.match(registers[1] ?? '', / auth=[1-9]\d*\//, 'the second REGISTER answers the challenge');
        const contacts = kam.contacts('8101');
        t.diagnostic(`ul.lookup: ${contacts.join(', ')}`);
        assert.ok(contacts.some((c) => contact.test(c)), `contact for 8101 at kamailio: ${kam.rpc('ul.lookup', 'location', 's:8101').output}`);

        const beforeSignOut = kam.mark();
        await page.evaluate(kamSignOut);
        await kam.waitFor(/^REGISTER .* from=8101 .*expires=0 /, 5000, beforeSignOut);
        assert.ok(await waitUntil(() => kam.contacts('8101').length === 0, 5000), `contact removed: ${kam.rpc('ul.lookup', 'location', 's:8101').output}`);

        // Signing in again and closing the page unregisters as well.
        const again = kam.mark();
        await page.evaluate(kamSignIn, { id: '8101' });
        await kam.waitFor(/^saved user=8101 /, 5000, again);
        assert.ok(await waitUntil(() => kam.contacts('8101').length > 0, 3000));
        const beforeClose = kam.mark();
        await page.evaluate(kamClose);
        await kam.waitFor(/^REGISTER .* from=8101 .*expires=0 /, 5000, beforeClose);
        assert.ok(await waitUntil(() => kam.contacts('8101').length === 0, 5000), 'contact removed after the page closed its connection');
      } finally {
        await page.close();
      }
    });

    test('SIPp UAC → kamailio → gateway → browser (8101): RTP both ways; SIPp BYE releases everything', async (t) => {
      const page = await openPage(browser, gw.origin + '/');
      const from = kam.mark();
      const answered = page.evaluate(answerIncoming, { id: '8101', seconds: 3, waitMs: 20000 });
      await kam.waitFor(/^saved user=8101 /, 10000, from);
      assert.ok(await waitUntil(() => kam.contacts('8101').length > 0, 3000), 'registered before the call');
      const cwd = pcapDir();
      const uac = sipp(['-sn', 'uac_pcap', '-s', '8101', `127.0.0.1:${kam.port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(sippMediaPort()), '-m', '1'], cwd);
      try {
        const report = await answered;
        t.diagnostic(`browser: ${report.audioPacketsReceived} packets, energy ${report.totalAudioEnergy.toFixed(3)}, codec ${String(report.codec)}, end ${String(report.endReason)}`);
        await kam.waitFor(/^lookup user=8101 target=sip:8101@127\.0\.0\.1:\d+/, 1000, from);
        assert.ok(report.audioPacketsReceived > 50, `audio packets received ${report.audioPacketsReceived}`);
        assert.ok(report.totalAudioEnergy > 0, 'the played capture carries audio energy');
        assert.equal(report.state, 'ended');
        const code = await exitCode(uac, 15000);
        assert.equal(code, 0, uac.output.join('').slice(-2000));
        // The BYE went through kamailio (record-routed dialog).
        await kam.waitFor(/^BYE /, 1000, from);
        assert.ok(await waitUntil(() => portsBack(gw), 3000), 'ports back');
        assert.equal(gw.gateway.calls.activeCalls, 0);
      } finally {
        uac.child.kill();
        rmSync(cwd, { recursive: true, force: true });
        await page.close();
      }
    });

    test('browser (8101) → "8102" via kamailio (407 answered) → SIPp UAS echoing RTP: audio comes back', async (t) => {
      const uas = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(echoPort), '-mp', String(sippMediaPort()), '-rtp_echo', '-m', '1']);
      const page = await openPage(browser, gw.origin + '/');
      try {
        const from = kam.mark();
        await page.evaluate(kamSignIn, { id: '8101' });
        await kam.waitFor(/^saved user=8101 /, 5000, from);
        const report = await page.evaluate(kamCall, { target: '8102', seconds: 4, connectMs: 15000 });
        t.diagnostic(`browser: ${JSON.stringify(report)}`);
        assert.equal(report.connected, true, `call connected: ${JSON.stringify(report)}\nkamailio:\n${kam.events.slice(from).join('\n')}`);
        assert.ok(report.audioPacketsReceived > 100, `audio packets received ${report.audioPacketsReceived}`);
        assert.ok(report.totalAudioEnergy > 0, 'the echo carries audio energy');
        assert.equal(report.state, 'ended');
        await kam.waitFor(/^challenge INVITE from=8101$/, 1000, from);
        await kam.waitFor(/^authorized INVITE from=8101 to=8102$/, 1000, from);
        const code = await exitCode(uas, 10000);
        assert.equal(code, 0, uas.output.join('').slice(-2000));
        assert.ok(await waitUntil(() => portsBack(gw), 3000), 'ports back');
        await page.evaluate(kamClose);
      } finally {
        uas.child.kill();
        await page.close();
      }
    });
  });

  describe('proxy failover: sip-proxy <dead>,<kamailio>', { concurrency: 1 }, () => {
    let gw: TestGateway;
    let deadPort: number;

    before(async () => {
      deadPort = await freePort(); // nothing listens there (UDP)
      gw = await startTestGateway([
        '--sip-port', String(await freePort()),
        '--web-rtp-min-port', '42000',
        '--web-rtp-max-port', '42199',
        '--sip-rtp-min-port', '42600',
        '--sip-rtp-max-port', '42699',
        '--sip-proxy', `127.0.0.1:${deadPort},127.0.0.1:${kam.port}`,
        '--sip-register', '8100-8199',
        '--sip-register-credentials', '8100-8199:{dn}:secret{dn}',
      ]);
    });

    after(async () => {
      await gw?.gateway.stop();
    });

    test('a call times out on the dead proxy, the next one goes via kamailio and connects', { timeout: 55000 }, async (t) => {
      const uas = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(failoverEchoPort), '-mp', String(sippMediaPort()), '-rtp_echo', '-m', '1']);
      const page = await openPage(browser, gw.origin + '/');
      try {
        const from = kam.mark();
        await page.evaluate(kamSignIn, { id: '8111' });
        // First call: the INVITE goes to the dead address. The SDK gives up after 10 s without an
        // answer; the gateway's INVITE transaction ends at Timer B (32 s) and marks that proxy failed.
        const first = await page.evaluate(kamCall, { target: '8103', seconds: 0, connectMs: 40000 });
        t.diagnostic(`first call: ${JSON.stringify(first)}`);
        assert.equal(first.connected, false);
        assert.ok(await waitUntil(() => gw.gateway.calls.activeCalls === 0, 30000), 'the first call ends on the gateway (Timer B)');
        assert.ok(!kam.events.slice(from).some((e) => /^INVITE .* from=8111 /.test(e)), 'no INVITE reached kamailio while the first proxy was active');

        const second = await page.evaluate(kamCall, { target: '8103', seconds: 3, connectMs: 15000 });
        t.diagnostic(`second call: ${JSON.stringify(second)}`);
        assert.equal(second.connected, true, `second call connected: ${JSON.stringify(second)}\nkamailio:\n${kam.events.slice(from).join('\n')}`);
        assert.ok(second.audioPacketsReceived > 50, `audio packets received ${second.audioPacketsReceived}`);
        assert.ok(second.totalAudioEnergy > 0, 'the echo carries audio energy');
        await kam.waitFor(/^authorized INVITE from=8111 to=8103$/, 1000, from);
        t.diagnostic(`dead proxy :${deadPort}, kamailio :${kam.port}; kamailio got: ${kam.events.slice(from).find((e) => /^INVITE .* from=8111 .*auth=\/[1-9]/.test(e)) ?? '?'}`);
        const code = await exitCode(uas, 10000);
        assert.equal(code, 0, uas.output.join('').slice(-2000));
        await page.evaluate(kamClose);
        assert.ok(await waitUntil(() => portsBack(gw) && gw.gateway.calls.activeCalls === 0, 3000), 'ports back');
      } finally {
        uas.child.kill();
        await page.close();
      }
    });
  });
});

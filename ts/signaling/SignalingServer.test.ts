// One suite, run against both HttpWsServer implementations (ws and uWebSockets.js).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { AdapterUnavailableError, PortInUseError } from '../errors.js';
import { createServer, loadUws } from './createServer.js';
import type { ClientMessage, ServerMessage } from './protocol.js';
import { SignalingServer, type ClientSession, type SignalingHandler } from './SignalingServer.js';

const silent = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'rtcgate-sig-'));
mkdirSync(join(dir, 'demo'));
mkdirSync(join(dir, 'sdk'));
writeFileSync(join(dir, 'demo', 'index.html'), '<!doctype html><title>rtcgate demo</title>');
writeFileSync(join(dir, 'demo', 'app.css'), 'body{}');
writeFileSync(join(dir, 'sdk', 'rtcgate.js'), 'export const sdk = 1;');
writeFileSync(join(dir, 'secret.txt'), 'do not serve');
after(() => rmSync(dir, { recursive: true, force: true }));

const uwsAvailable = (await loadUws()).module !== null;

class RecordingHandler implements SignalingHandler {
  connects = 0;
  disconnects = 0;
  lastConnected: ClientSession | null = null;
  readonly gone = new Set<string>();
  messages: ClientMessage[] = [];
  onConnect(session: ClientSession): void {
    this.connects++;
    this.lastConnected = session;
  }
  onDisconnect(session: ClientSession): void {
    this.disconnects++;
    this.gone.add(session.id);
  }
  onMessage(session: ClientSession, msg: Exclude<ClientMessage, { type: 'ping' }>): void | Promise<void> {
    this.messages.push(msg);
    if (msg.type === 'signIn') session.send({ v: 1, type: 'signedIn', ...(msg.reqId ? { reqId: msg.reqId } : {}), id: msg.id, anonymous: true });
    if (msg.type === 'hangup') return Promise.reject(new Error('boom'));
    if (msg.type === 'reject') throw new Error('sync boom');
  }
}

interface HttpResult {
  status: number;
  type: string | undefined;
  body: string;
}
function get(port: number, path: string, method = 'GET'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A ws client that queues parsed server messages. */
class Client {
  private readonly queue: ServerMessage[] = [];
  private waiters: Array<(m: ServerMessage) => void> = [];
  closed: Promise<number>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.queue.push(msg);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }
  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const c = new Client(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }
  next(timeoutMs = 2000): Promise<ServerMessage> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  }
  send(v: unknown): void {
    this.ws.send(typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v));
  }
}

for (const impl of ['ws', 'uws'] as const) {
  describe(`SignalingServer over ${impl}`, { skip: impl === 'uws' && !uwsAvailable ? 'uWebSockets.js not installed' : false }, () => {
    let server: SignalingServer;
    let handler: RecordingHandler;
    let port: number;
    const clients: Client[] = [];

    before(async () => {
      handler = new RecordingHandler();
      server = new SignalingServer({
        server: await createServer(impl),
        handler,
        logger: silent,
        demoPagePath: join(dir, 'demo', 'index.html'),
        sdkBundlePath: join(dir, 'sdk', 'rtcgate.js'),
        serverName: 'rtcgate-test',
        maxMessageBytes: 1024,
        ratePerSecond: 1000,
        rateBurst: 1000,
      });
      port = await server.start('127.0.0.1', 0);
    });
    afterEach(() => {
      for (const c of clients.splice(0)) c.ws.terminate();
    });
    after(async () => {
      await server.stop();
    });

    async function connect(): Promise<Client> {
      const c = await Client.open(port);
      clients.push(c);
      return c;
    }

    it('GET /ping answers up', async () => {
      const r = await get(port, '/ping');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'up');
      assert.match(r.type ?? '', /^text\/plain/);
    });

    it('serves the demo page, its assets and the SDK', async () => {
      const page = await get(port, '/');
      assert.equal(page.status, 200);
      assert.match(page.type ?? '', /^text\/html/);
      assert.match(page.body, /rtcgate demo/);
      const css = await get(port, '/demo/app.css');
      assert.equal(css.status, 200);
      assert.match(css.type ?? '', /^text\/css/);
      const sdk = await get(port, '/sdk/rtcgate.js?v=1');
      assert.equal(sdk.status, 200);
      assert.match(sdk.type ?? '', /^text\/javascript/);
      assert.equal(sdk.body, 'export const sdk = 1;');
    });

    it('answers 404 for other paths and traversal attempts, 405 for other methods', async () => {
      assert.equal((await get(port, '/nope')).status, 404);
      assert.equal((await get(port, '/demo/missing.js')).status, 404);
      assert.equal((await get(port, '/demo/../secret.txt')).status, 404);
      assert.equal((await get(port, '/demo/%2e%2e/secret.txt')).status, 404);
      assert.equal((await get(port, '/demo/.hidden')).status, 404);
      assert.equal((await get(port, '/ping', 'POST')).status, 405);
    });

    it('greets with hello and answers ping', async () => {
      const c = await connect();
      assert.deepEqual(await c.next(), { v: 1, type: 'hello', protocol: 1, server: 'rtcgate-test' });
      c.send({ v: 1, type: 'ping', reqId: 'p1' });
      assert.deepEqual(await c.next(), { v: 1, type: 'pong', reqId: 'p1' });
    });

    it('replies error to garbage and keeps the connection usable', async () => {
      const c = await connect();
      await c.next(); // hello
      c.send('not json at all');
      assert.deepEqual(await c.next(), { v: 1, type: 'error', code: 'malformed', message: 'frame is not valid JSON' });
      c.send({ v: 1, type: 'call', reqId: 'r9', callId: 'c', sdp: 'v=0' });
      assert.deepEqual(await c.next(), { v: 1, type: 'error', reqId: 'r9', code: 'malformed', message: 'call: field "target" must be a non-empty string' });
      c.send({ v: 7, type: 'ping' });
      assert.equal((await c.next()).type, 'error');
      c.send({ v: 1, type: 'dance' });
      const unknown = await c.next();
      assert.ok(unknown.type === 'error' && unknown.code === 'unknown-type');
      c.send(Buffer.from([1, 2, 3]));
      const bin = await c.next();
      assert.ok(bin.type === 'error' && bin.code === 'malformed');
      c.send(JSON.stringify({ v: 1, type: 'signIn', id: 'x'.repeat(2000) }));
      const big = await c.next();
      assert.ok(big.type === 'error' && big.code === 'too-large', JSON.stringify(big));
      c.send({ v: 1, type: 'ping' });
      assert.deepEqual(await c.next(), { v: 1, type: 'pong' });
      const s = server.stats();
      assert.ok(s.rejected.malformed >= 2 && s.rejected["too-large"] >= 1 && s.rejected.binary >= 1, JSON.stringify(s));
    });

    it('dispatches valid messages to the handler and reports handler failures', async () => {
      const before = handler.messages.length;
      const c = await connect();
      await c.next();
      c.send({ v: 1, type: 'signIn', reqId: 's', id: 'alice' });
      assert.deepEqual(await c.next(), { v: 1, type: 'signedIn', reqId: 's', id: 'alice', anonymous: true });
      c.send({ v: 1, type: 'hangup', reqId: 'h', callId: 'c1' });
      assert.deepEqual(await c.next(), { v: 1, type: 'error', reqId: 'h', callId: 'c1', code: 'internal', message: 'hangup failed inside the gateway' });
      c.send({ v: 1, type: 'reject', callId: 'c2' });
      assert.deepEqual(await c.next(), { v: 1, type: 'error', callId: 'c2', code: 'internal', message: 'reject failed inside the gateway' });
      assert.deepEqual(handler.messages.slice(before).map((m) => m.type), ['signIn', 'hangup', 'reject']);
    });

    it('tells the handler about connects and disconnects', async () => {
      const c = await connect();
      await c.next();
      const session = handler.lastConnected;
      assert.ok(session);
      assert.equal(session.remoteAddress, '127.0.0.1');
      assert.equal(handler.gone.has(session.id), false);
      c.ws.close(1000);
      await c.closed;
      for (let i = 0; i < 50 && !handler.gone.has(session.id); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(handler.gone.has(session.id));
    });

    it('rejects a second listener on the same port with PortInUseError (event 20011)', async () => {
      const other = new SignalingServer({
        server: await createServer(impl),
        handler: new RecordingHandler(),
        logger: silent,
        demoPagePath: join(dir, 'demo', 'index.html'),
        sdkBundlePath: join(dir, 'sdk', 'rtcgate.js'),
      });
      await assert.rejects(other.start('127.0.0.1', port), (err: unknown) => {
        assert.ok(err instanceof PortInUseError, String(err));
        assert.equal(err.event, 20011);
        assert.equal(err.port, port);
        return true;
      });
      await other.stop();
    });
  });
}

describe('rate limiting and shutdown', () => {
  it('rate-limits a flooding connection, then closes it with 1008', async () => {
    const now = 0;
    const server = new SignalingServer({
      server: await createServer('ws'),
      handler: new RecordingHandler(),
      logger: silent,
      demoPagePath: join(dir, 'demo', 'index.html'),
      sdkBundlePath: join(dir, 'sdk', 'rtcgate.js'),
      ratePerSecond: 1,
      rateBurst: 2,
      maxRejections: 3,
      now: () => now,
    });
    const port = await server.start('127.0.0.1', 0);
    const c = await Client.open(port);
    await c.next();
    for (let i = 0; i < 6; i++) c.send({ v: 1, type: 'ping' });
    assert.equal((await c.next()).type, 'pong');
    assert.equal((await c.next()).type, 'pong');
    const limited = await c.next();
    assert.ok(limited.type === 'error' && limited.code === 'rate-limited');
    assert.equal(await c.closed, 1008);
    // Frames already in flight when the close started may be counted too.
    assert.ok(server.stats().rejected['rate-limited'] >= 3);
    await server.stop();
  });

  it('stop() closes open sockets and keep-alive HTTP connections promptly', async () => {
    for (const impl of uwsAvailable ? (['ws', 'uws'] as const) : (['ws'] as const)) {
      const handler = new RecordingHandler();
      const server = new SignalingServer({
        server: await createServer(impl),
        handler,
        logger: silent,
        demoPagePath: join(dir, 'demo', 'index.html'),
        sdkBundlePath: join(dir, 'sdk', 'rtcgate.js'),
      });
      const port = await server.start('127.0.0.1', 0);
      const c = await Client.open(port);
      await c.next();
      // A keep-alive HTTP connection left open by a client.
      const { Agent } = await import('node:http');
      const agent = new Agent({ keepAlive: true });
      await new Promise<void>((resolve) => request({ host: '127.0.0.1', port, path: '/ping', agent }, (res) => { res.resume(); res.on('end', () => resolve()); }).end());
      const t0 = Date.now();
      await server.stop();
      const code = await c.closed;
      assert.ok(code === 1001 || code === 1006, `close code ${code}`);
      assert.equal(handler.disconnects, 1);
      assert.ok(Date.now() - t0 < 1000, `${impl} stop took ${Date.now() - t0} ms`);
      agent.destroy();
    }
  });

  it('createServer("auto") picks uws when it resolves', async () => {
    const s = await createServer('auto');
    assert.equal(s.kind, uwsAvailable ? 'uws' : 'ws');
    await s.close();
  });

  it('AdapterUnavailableError is the error for a missing uws', () => {
    const e = new AdapterUnavailableError('x');
    assert.equal(e.code, 'ERR_ADAPTER_UNAVAILABLE');
  });
});

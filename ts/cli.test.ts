import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { EXIT_CONFIG, EXIT_OK, EXIT_STARTUP_FAILED, main, type CliIo } from './cli.js';

function capture(): { io: CliIo; out: string[]; err: string[]; lines: Array<Record<string, unknown>> } {
  const out: string[] = [];
  const err: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { io: { out: (t) => void out.push(t), err: (t) => void err.push(t), logger }, out, err, lines };
}

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

describe('rtcgate cli', () => {
  it('--version and --help', async () => {
    const c = capture();
    assert.equal(await main(['--version'], c.io), EXIT_OK);
    assert.match(c.out.join(''), /^\d+\.\d+\.\d+\n$/);
    assert.equal(await main(['--help'], c.io), EXIT_OK);
    assert.match(c.out.join(''), /rtcgate serve \[--config FILE\]/);
    assert.equal(await main(['serve', '--help'], c.io), EXIT_OK);
    assert.match(c.out.join(''), /--web-rtp-min-port\s+Lowest UDP port/);
    assert.equal(await main(['frobnicate'], c.io), EXIT_CONFIG);
  });

  it('logs event 20006 and exits 2 on a bad option', async () => {
    const c = capture();
    assert.equal(await main(['serve', '--http-port', 'abc'], c.io), EXIT_CONFIG);
    const line = c.lines.find((l) => l['event'] === 20006);
    assert.ok(line, JSON.stringify(c.lines));
    assert.equal(line['msg'], 'Invalid or missing value for the option: [rsmp]:[http-port] — expected a port 1..65535, got "abc"');
    assert.equal(line['option'], 'http-port');
    assert.equal(line['level'], 50);
  });

  it('logs event 20011 and exits 1 when the HTTP port is in use', async () => {
    const busy = await occupy();
    try {
      const c = capture();
      const code = await main(['serve', '--http-address', '127.0.0.1', '--http-port', String(busy.port)], c.io);
      assert.equal(code, EXIT_STARTUP_FAILED);
      const line = c.lines.find((l) => l['event'] === 20011);
      assert.ok(line, JSON.stringify(c.lines));
      assert.equal(line['port'], busy.port);
      assert.equal(line['code'], 'ERR_PORT_IN_USE');
    } finally {
      busy.server.close();
    }
  });

  it('serve starts (event 5060), answers /ping and stops on SIGTERM', async () => {
    const free = await occupy();
    const port = free.port;
    await new Promise<void>((r) => free.server.close(() => r()));
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `import { run } from './ts/cli.ts'; await run(process.argv.slice(1));`, 'serve', '--http-address', '127.0.0.1', '--http-port', String(port)],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no 5060 line; stdout=${stdout} stderr=${stderr}`)), 8000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        for (const l of stdout.split('\n')) {
          if (l.includes('"event":5060')) {
            clearTimeout(t);
            resolve(JSON.parse(l) as Record<string, unknown>);
          }
        }
      });
    });
    assert.equal(started['msg'], 'WebRTC Gateway started');
    assert.equal(started['httpPort'], port);
    assert.equal(started['rtpPortMin'], 36000);
    assert.equal(started['rtpPortMax'], 36999);
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/ping', agent: false }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve(b));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(body, 'up');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });
});

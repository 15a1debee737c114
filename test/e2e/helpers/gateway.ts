// Starts a real gateway in-process (the same startGateway() `rtcgate serve` uses) on loopback,
// with a silent logger, so end-to-end tests can reach its engine API directly.
import { createServer } from 'node:net';
import { pino } from 'pino';

import { loadConfig } from '../../../ts/config/index.js';
import { startGateway, type Gateway } from '../../../ts/gateway.js';

export interface TestGateway {
  gateway: Gateway;
  origin: string;
}

/** A TCP port the kernel just had free on 127.0.0.1 ([rsmp]:[http-port] takes no 0). */
export function freePort(): Promise<number> {
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

export async function startTestGateway(extraArgs: string[] = []): Promise<TestGateway> {
  const config = loadConfig([
    '--http-port', String(await freePort()),
    '--sip-port', String(await freePort()),
    '--http-address', '127.0.0.1',
    '--web-ice-addresses', '127.0.0.1',
    '--rtp-bind-address', '127.0.0.1',
    '--web-rtp-min-port', '41000',
    '--web-rtp-max-port', '41199',
    '--log-level', process.env['RTCGATE_E2E_VERBOSE'] === undefined ? 'warn' : 'debug',
    ...extraArgs,
  ]);
  const gateway = await startGateway(config, pino({ level: config.logLevel }));
  return { gateway, origin: `http://127.0.0.1:${gateway.httpPort}` };
}

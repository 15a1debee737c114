// TEMPORARY MINIMAL GATEWAY — to be replaced by the lead with the real orchestration (ts/calls).
// It only starts the SignalingServer with a stub handler: signIn/signOut are acknowledged, every
// call is answered `unknown-target`, accept/reject/hangup get `unknown-call`. No media engine.
// Keep the exported signatures (startGateway, Gateway, webPaths): ts/cli.ts depends on them.

import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from './config/loadConfig.js';
import { assertNever } from './errors.js';
import { createServer } from './signaling/createServer.js';
import { SignalingServer, type ClientSession, type SignalingHandler } from './signaling/SignalingServer.js';

export interface Gateway {
  /** The port the signaling server actually bound (differs from config when it is 0). */
  readonly httpPort: number;
  readonly signalingImpl: 'ws' | 'uws';
  stop(): Promise<void>;
}

/** Where the built demo page and SDK bundle live, relative to the package root. */
export function webPaths(): { demoPagePath: string; sdkBundlePath: string } {
  // dist/gateway.js and ts/gateway.ts both sit one level below the package root.
  const root = fileURLToPath(new URL('..', import.meta.url));
  return {
    demoPagePath: `${root}dist/demo/index.html`,
    sdkBundlePath: `${root}dist/sdk/rtcgate.js`,
  };
}

class StubHandler implements SignalingHandler {
  constructor(private readonly config: Config) {}
  onConnect(): void {}
  onDisconnect(): void {}
  onMessage(session: ClientSession, msg: Parameters<SignalingHandler['onMessage']>[1]): void {
    const reqId = msg.reqId === undefined ? {} : { reqId: msg.reqId };
    switch (msg.type) {
      case 'signIn':
        if (!this.config.allowAnonymousUser) {
          session.send({ v: 1, type: 'error', ...reqId, code: 'forbidden', message: 'anonymous sign-in is disabled' });
          return;
        }
        session.send({ v: 1, type: 'signedIn', ...reqId, id: msg.id, anonymous: true });
        return;
      case 'signOut':
        session.send({ v: 1, type: 'signedOut', ...reqId });
        return;
      case 'call':
        session.send({ v: 1, type: 'error', ...reqId, callId: msg.callId, code: 'unknown-target', message: `no route to ${JSON.stringify(msg.target)}` });
        return;
      case 'accept':
      case 'reject':
      case 'hangup':
        session.send({ v: 1, type: 'error', ...reqId, callId: msg.callId, code: 'unknown-call', message: 'no such call' });
        return;
      default:
        assertNever(msg, 'client message');
    }
  }
}

export async function startGateway(config: Config, logger: Logger): Promise<Gateway> {
  const server = await createServer(config.signaling);
  const signaling = new SignalingServer({
    server,
    handler: new StubHandler(config),
    logger,
    ...webPaths(),
  });
  const httpPort = await signaling.start(config.httpAddress, config.httpPort);
  return {
    httpPort,
    signalingImpl: server.kind,
    stop: () => signaling.stop(),
  };
}

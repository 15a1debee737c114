// Composition root: one media engine, the call orchestration and the signaling server.
// `rtcgate serve` calls startGateway(); embedders may call it too and use the returned handle.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

import { CallManager } from './calls/CallManager.js';
import { startSipSide, type SipSide } from './calls/SipSide.js';
import { toEngineOptions } from './config/engineOptions.js';
import type { Config } from './config/loadConfig.js';
import { Engine } from './engine/Engine.js';
import { createServer } from './signaling/createServer.js';
import { SignalingServer } from './signaling/SignalingServer.js';

export interface GatewayStatus {
  portsInUse: number;
  portsTotal: number;
  calls: number;
  signaling: ReturnType<SignalingServer['stats']>;
}

export interface Gateway {
  /** The port the signaling server actually bound (differs from config when it is 0). */
  readonly httpPort: number;
  readonly signalingImpl: 'ws' | 'uws';
  readonly engine: Engine;
  readonly calls: CallManager;
  /** The SIP side: its transport's bound ports and the SIP stack. */
  readonly sip: SipSide;
  status(): GatewayStatus;
  /** Ends every call, closes the signaling server and stops the engine's workers. */
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

export async function startGateway(config: Config, logger: Logger): Promise<Gateway> {
  const engine = new Engine(toEngineOptions(config));
  const engineLog = logger.child({ component: 'engine' });
  engine.on('log', (level, tag, message, endpointId) => {
    engineLog[level]({ tag, ...(endpointId === undefined ? {} : { endpoint: endpointId }) }, message);
  });
  let sip: SipSide;
  try {
    sip = await startSipSide(config, logger);
  } catch (error) {
    engine.stop();
    throw error;
  }
  const calls = new CallManager({ engine, config, logger, sip });
  const server = await createServer(config.signaling);
  const signaling = new SignalingServer({ server, handler: calls, logger, ...webPaths() });
  const status = (): GatewayStatus => ({
    portsInUse: engine.portsInUse(),
    portsTotal: engine.portsTotal(),
    calls: calls.activeCalls,
    signaling: signaling.stats(),
  });
  server.get('/status', () => ({
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(status()),
  }));
  let httpPort: number;
  try {
    httpPort = await signaling.start(config.httpAddress, config.httpPort);
  } catch (error) {
    await sip.stop();
    engine.stop();
    throw error;
  }
  let stopped = false;
  return {
    httpPort,
    signalingImpl: server.kind,
    engine,
    calls,
    sip,
    status,
    async stop() {
      if (stopped) return;
      stopped = true;
      await calls.stop();
      await signaling.stop();
      await sip.stop();
      engine.stop();
    },
  };
}

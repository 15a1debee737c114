// Picks the HTTP/WebSocket implementation: [rsmp]:[signaling] = ws | uws | auto.

import { AdapterUnavailableError, assertNever } from '../errors.js';
import type { SignalingImpl } from '../config/options.js';
import type { HttpWsServer } from './HttpWsServer.js';
import { isUwsModule, type UwsModule } from './uwsTypes.js';
import { WsServer } from './WsServer.js';
import { UwsServer } from './UwsServer.js';

export const UWS_PACKAGE = 'uWebSockets.js';

/** Loads uWebSockets.js if it is installed and loads on this platform; otherwise null and why. */
export async function loadUws(): Promise<{ module: UwsModule } | { module: null; reason: string }> {
  let mod: unknown;
  try {
    // A variable specifier keeps bundlers and tsc from resolving the optional package.
    const specifier: string = UWS_PACKAGE;
    mod = await import(specifier);
  } catch (err) {
    return { module: null, reason: err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err) };
  }
  // CommonJS package: its exports arrive as `default` under ESM.
  const candidate = typeof mod === 'object' && mod !== null && 'default' in mod ? Reflect.get(mod, 'default') : mod;
  if (isUwsModule(candidate)) return { module: candidate };
  if (isUwsModule(mod)) return { module: mod };
  return { module: null, reason: `${UWS_PACKAGE} does not export App()` };
}

export async function createServer(impl: SignalingImpl): Promise<HttpWsServer> {
  switch (impl) {
    case 'ws':
      return new WsServer();
    case 'uws': {
      const loaded = await loadUws();
      if (loaded.module === null) {
        throw new AdapterUnavailableError(
          `[rsmp]:[signaling] is "uws" but ${UWS_PACKAGE} cannot be loaded (${loaded.reason}); install it or use signaling=ws`,
        );
      }
      return new UwsServer(loaded.module);
    }
    case 'auto': {
      const loaded = await loadUws();
      return loaded.module === null ? new WsServer() : new UwsServer(loaded.module);
    }
    default:
      return assertNever(impl, 'signaling implementation');
  }
}

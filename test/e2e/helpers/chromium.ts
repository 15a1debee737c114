// Drives Debian's Chromium through playwright-core for end-to-end tests. Flags and their reasons
// are in /work/shared/README.md ("Driving Chromium and SIPp in tests").

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const kChromiumPath = process.env['RTCGATE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Switches Chromium needs here: root without sandbox, no network chatter, fake media, loopback ICE. */
export const kChromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Without it Chromium gathers no 127.0.0.1 candidates.
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

export interface ChromiumHandle {
  context: BrowserContext;
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Extra switches (remember: Chromium keeps only the last copy of a switch, so merge --disable-features yourself). */
  args?: string[];
  headless?: boolean;
}

/** Starts a headless Chromium with a fresh profile in a temporary directory. */
export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumHandle> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'rtcgate-chromium-'));
  try {
    // launchPersistentContext passes our directory as --user-data-dir (launch() refuses that switch).
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: kChromiumPath,
      headless: options.headless ?? true,
      args: [...kChromiumArgs, ...(options.args ?? [])],
      permissions: ['camera', 'microphone'],
    });
    // tsx (esbuild keepNames) wraps named functions in __name(...); functions we hand to
    // page.evaluate carry those calls into the page, so give the page a no-op __name.
    await context.addInitScript('globalThis.__name ??= (fn) => fn;');
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Opens `url` (an http://127.0.0.1 page: a secure context, so getUserMedia works) in a new tab. */
export async function openPage(handle: ChromiumHandle, url: string): Promise<Page> {
  const page = await handle.context.newPage();
  page.on('console', (msg) => {
    if (process.env['RTCGATE_E2E_VERBOSE'] !== undefined || msg.type() === 'error') console.log(`[page ${msg.type()}] ${msg.text()}`);
  });
  page.on('pageerror', (err) => console.log(`[page error] ${err.message}`));
  await page.goto(url);
  return page;
}

/** Opens `url` and runs `fn(arg)` inside the page; returns its (serialisable) result. */
export async function runInPage<A, R>(handle: ChromiumHandle, url: string, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  const page = await openPage(handle, url);
  try {
    // A is a plain serialisable value here, so playwright's Unboxed<A> is A itself.
    return await page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown);
  } finally {
    await page.close();
  }
}

export interface StaticServer {
  server: Server;
  /** "http://127.0.0.1:<port>" */
  origin: string;
  close(): Promise<void>;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves pages on 127.0.0.1 on an ephemeral port: `pages` maps a path to [content-type, body];
 * `route` may handle other requests (return true when it did). Keep-alive sockets are closed on
 * shutdown, or the server would wait for them.
 */
export async function serveOnLoopback(pages: Record<string, [string, string | Buffer]>, route?: Route): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const page = pages[path];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': page[0], 'cache-control': 'no-store' });
      res.end(page[1]);
      return;
    }
    if (route?.(req, res) === true) return;
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

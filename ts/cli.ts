// rtcgate command line: `rtcgate serve [--config FILE] [--<option> VALUE ...]`, `--help`, `--version`.
// Exit codes: 0 normal stop, 1 startup failure (port in use, adapter missing), 2 configuration/usage error.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config/loadConfig.js';
import { formatOptionTable } from './config/options.js';
import { ConfigError, ListenError, PortInUseError, UsageError } from './errors.js';
import { SipListenError, SipPortInUseError } from './sip/transport/index.js';
import { createLogger, logEvent } from './log/logger.js';
import { startGateway, type Gateway } from './gateway.js';

export const EXIT_OK = 0;
export const EXIT_STARTUP_FAILED = 1;
export const EXIT_CONFIG = 2;

/** Seconds a graceful stop may take before the process exits anyway. */
const STOP_GRACE_MS = 5000;

export function version(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
    const v = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'version') : undefined;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function usage(): string {
  return [
    'Usage:',
    '  rtcgate serve [--config FILE] [--<option> VALUE ...]   run the gateway',
    '  rtcgate serve --help                                  list the [rsmp] options',
    '  rtcgate --version | --help',
    '',
    'FILE is INI ([rsmp] section, "option = value", # or ; comments) or JSON ({ "rsmp": { ... } }).',
    'Command-line options override the file, which overrides the defaults.',
  ].join('\n');
}

export function serveHelp(): string {
  return `${usage()}\n\nOptions ([rsmp] section):\n${formatOptionTable()}\n`;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  logger?: Logger;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Runs the CLI; resolves with the exit code for one-shot commands, or never for `serve`. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(`${usage()}\n`);
    return command === undefined ? EXIT_CONFIG : EXIT_OK;
  }
  if (command === '--version' || command === '-v') {
    io.out(`${version()}\n`);
    return EXIT_OK;
  }
  if (command !== 'serve') {
    io.err(`rtcgate: unknown command ${JSON.stringify(command)}\n${usage()}\n`);
    return EXIT_CONFIG;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(serveHelp());
    return EXIT_OK;
  }
  return serve(rest, io);
}

async function serve(args: readonly string[], io: CliIo): Promise<number> {
  const bootLogger = io.logger ?? createLogger({ level: 'info' });
  let config: Config;
  try {
    config = loadConfig(args);
  } catch (err) {
    if (err instanceof ConfigError) {
      logEvent(bootLogger, 'error', 'InvalidOption', { section: err.section, option: err.option }, err.message.slice(err.message.indexOf('[')));
      return EXIT_CONFIG;
    }
    if (err instanceof UsageError) {
      bootLogger.error({ code: err.code }, err.message);
      io.err(`rtcgate: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const logger = io.logger ?? createLogger({ level: config.logLevel });

  let gateway: Gateway;
  try {
    gateway = await startGateway(config, logger);
  } catch (err) {
    if (err instanceof SipPortInUseError || err instanceof SipListenError) {
      logEvent(logger, 'fatal', 'SipStackFailed', { code: err.code }, err.message);
      return EXIT_STARTUP_FAILED;
    }
    if (err instanceof PortInUseError || err instanceof ListenError) {
      logEvent(logger, 'fatal', 'SignalingServerFailed', { host: err.host, port: err.port, code: err.code }, err.message);
      return EXIT_STARTUP_FAILED;
    }
    logger.fatal({ err }, 'startup failed');
    return EXIT_STARTUP_FAILED;
  }

  logEvent(logger, 'info', 'GatewayStarted', {
    httpAddress: config.httpAddress,
    httpPort: gateway.httpPort,
    signaling: gateway.signalingImpl,
    rtpPortMin: config.webRtpMinPort,
    rtpPortMax: config.webRtpMaxPort,
    iceAddresses: config.webIceAddresses,
    workers: config.workers,
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        resolve(EXIT_STARTUP_FAILED);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      const timer = setTimeout(() => {
        logger.warn('graceful stop timed out');
        resolve(EXIT_STARTUP_FAILED);
      }, STOP_GRACE_MS);
      timer.unref();
      gateway.stop().then(
        () => {
          clearTimeout(timer);
          logger.info('stopped');
          resolve(EXIT_OK);
        },
        (err: unknown) => {
          clearTimeout(timer);
          logger.error({ err }, 'error while stopping');
          resolve(EXIT_STARTUP_FAILED);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Entry point used by bin/rtcgate.js. */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    const code = await main(argv);
    process.exitCode = code;
    // Leftover handles (engine threads, sockets) must not keep a stopped gateway alive.
    if (argv[0] === 'serve') setTimeout(() => process.exit(code), 100).unref();
  } catch (err) {
    process.stderr.write(`rtcgate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_STARTUP_FAILED);
  }
}

// The gateway's SIP side: one transport (UDP+TCP on sip-port, TLS on sip-tls-port) and one SIP
// stack (transactions, dialogs, digest auth towards sip-proxy).
import type { Logger } from 'pino';

import type { Config } from '../config/loadConfig.js';
import { detectIceAddress, realHost } from '../config/options.js';
import { SipStack } from '../sip/ua/index.js';
import { SipTransport } from '../sip/transport/index.js';

export interface SipSide {
  readonly transport: SipTransport;
  readonly stack: SipStack;
  /** Host put in Via/Contact and request URIs of our own ([rsmp] sip-address or detected). */
  readonly sipHost: string;
  /** Address put in SIP-side SDP c= lines ([rsmp] rtp-address, else sipHost). */
  readonly mediaAddress: string;
  stop(): Promise<void>;
}

export async function startSipSide(config: Config, logger: Logger): Promise<SipSide> {
  const bindHost = config.httpAddress;
  const sipHost =
    config.sipAddress ?? (bindHost !== '0.0.0.0' && bindHost !== '::' ? bindHost : detectIceAddress(realHost));
  const transport = await SipTransport.start({
    host: bindHost,
    udpPort: config.sipPort,
    tcpPort: config.sipPort,
    ...(config.sipTlsPort !== 0 && config.sipTls
      ? { tlsPort: config.sipTlsPort, tls: { cert: config.sipTls.certificatePem, key: config.sipTls.privateKeyPem } }
      : {}),
    advertisedAddress: sipHost,
    logger: logger.child({ component: 'sip-transport' }),
  });
  const stack = new SipStack({
    transport,
    proxy: config.sipProxy.map((p) => ({ host: p.host, port: p.port, transport: 'udp' as const })),
    credentials: config.sipRegisterCredentials.lookup,
    transaction: { t1: config.sipTimerT1 },
  });
  return {
    transport,
    stack,
    sipHost,
    mediaAddress: config.rtpAddress ?? sipHost,
    async stop() {
      stack.close();
      await transport.stop();
    },
  };
}

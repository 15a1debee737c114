// Maps the [rsmp] configuration onto the native engine's options (ts/engine/types.ts).

import type { EngineOptions } from '../engine/types.js';
import type { Config } from './loadConfig.js';

export function toEngineOptions(config: Config): EngineOptions {
  return {
    workers: config.workers,
    portMin: config.webRtpMinPort,
    portMax: config.webRtpMaxPort,
    sipPortMin: config.sipRtpMinPort,
    sipPortMax: config.sipRtpMaxPort,
    bindAddress: config.rtpBindAddress,
    consentTimeoutSeconds: config.consentTimeout,
    ...(config.dtls ? { certificatePem: config.dtls.certificatePem, privateKeyPem: config.dtls.privateKeyPem } : {}),
  };
}

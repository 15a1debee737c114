export { loadConfig, type Config, type ConfigEnv, type DtlsIdentity } from './loadConfig.js';
export { toEngineOptions } from './engineOptions.js';
export {
  OPTIONS,
  OPTION_NAMES,
  OPTION_TABLE,
  formatOptionTable,
  detectIceAddress,
  type HostFacts,
  type OptionDoc,
  type OptionName,
  type OptionType,
  type OptionValues,
  type SignalingImpl,
} from './options.js';
export { parseIni, parseJsonConfig, parseCliArgs, type RawSetting, type SourceKind } from './sources.js';

export * from './types.js';
export { DEFAULT_TRANSACTION_CONFIG, parseTimerMs, resolveTransactionConfig, type TransactionConfig } from './config.js';
export { TransactionUsageError, type TransactionUsageReason } from './errors.js';
export { TransactionLayer, clientKey, serverKey, isRfc3261Branch, type TransactionLayerStats } from './TransactionLayer.js';

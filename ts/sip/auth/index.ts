export * from './challenge.js';
export * from './digest.js';
export * from './DigestClient.js';
export * from './errors.js';

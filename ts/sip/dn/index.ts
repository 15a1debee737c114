export * from './patterns.js';
export * from './credentials.js';

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LogEvents } from './events.js';
import { createLogger, logEvent } from './logger.js';

it('event ids are unique and cover 5060 and 20006..20015', () => {
  const ids = Object.values(LogEvents).map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (let id = 20006; id <= 20015; id++) assert.ok(ids.includes(id as never), `missing ${id}`);
  assert.equal(LogEvents.GatewayStarted.id, 5060);
  assert.equal(LogEvents.GatewayStarted.text, 'WebRTC Gateway started');
});

it('logEvent writes event id, fields and text at the configured level', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  logEvent(logger, 'info', 'GatewayStarted', { httpPort: 8086 }); // below level: dropped
  logEvent(logger, 'error', 'SignalingServerFailed', { port: 8086 }, 'port in use');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.['event'], 20011);
  assert.equal(lines[0]?.['port'], 8086);
  assert.equal(lines[0]?.['msg'], 'Cannot start the signaling server: port in use');
  assert.equal(lines[0]?.['name'], 'rtcgate');
});

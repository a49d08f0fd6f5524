import { describe, expect, it } from 'vitest';
import { LogShipper } from './log-shipper';
import type { LogMessage } from './request-log-message';

const record = (n: number): LogMessage => ({
  request_id: `req-${n}`,
  time: new Date().toISOString(),
  endpoint: '/v1/resolve',
  method: 'GET',
  key_id: null,
  client_ip: '203.0.113.1',
  status: 200,
  error_code: null,
  duration_ms: 3,
  query: 'x',
  colo: null,
  cache: null,
});

function harness(options = { flushMs: 20, maxRecords: 100 }) {
  const shipper = new LogShipper(options);
  const messages: string[][] = [];
  const kept: Promise<unknown>[] = [];
  const send = async (records: LogMessage[]) => void messages.push(records.map((r) => r.request_id));
  const queue = {};
  const ship = (n: number) => shipper.ship(record(n), queue, send, (work) => void kept.push(work));
  const settled = () => Promise.all(kept);
  return { shipper, messages, ship, settled, kept };
}

describe('LogShipper', () => {
  it('sends the records of one moment as one message, in order', async () => {
    const { messages, ship, settled, kept } = harness();
    for (let n = 0; n < 5; n++) ship(n);
    // Only the first request keeps itself alive to send; the others just leave their records.
    expect(kept).toHaveLength(1);
    await settled();
    expect(messages).toEqual([['req-0', 'req-1', 'req-2', 'req-3', 'req-4']]);
  });

  it('sends a full message at once and keeps no message above the limit', async () => {
    const { messages, ship, settled } = harness({ flushMs: 20, maxRecords: 100 });
    for (let n = 0; n < 250; n++) ship(n);
    expect(messages.map((m) => m.length)).toEqual([100, 100]);
    await settled();
    expect(messages.map((m) => m.length)).toEqual([100, 100, 50]);
    expect(messages.flat()).toEqual(Array.from({ length: 250 }, (_, n) => `req-${n}`));
  });

  it('starts a new message for records that arrive after a send', async () => {
    const { messages, ship, settled } = harness();
    ship(1);
    await settled();
    ship(2);
    await settled();
    expect(messages).toEqual([['req-1'], ['req-2']]);
  });

  it('keeps the records of different queues apart', async () => {
    const { shipper, messages, ship, settled } = harness();
    const other: string[][] = [];
    const otherKept: Promise<unknown>[] = [];
    ship(1);
    shipper.ship(record(2), {}, async (records) => void other.push(records.map((r) => r.request_id)), (work) => void otherKept.push(work));
    await Promise.all([settled(), ...otherKept]);
    expect(messages).toEqual([['req-1']]);
    expect(other).toEqual([['req-2']]);
  });
});

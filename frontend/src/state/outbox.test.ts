import { describe, expect, it } from 'vitest';
import { MAX_BUSY_RETRY_MS, MIN_BUSY_RETRY_MS, busyDelayMs, sendOutcome, sendPayload } from './outbox';
import { RoomTimeline } from './timeline';
import { user } from './fixtures';

const err = (code: string, extra: object = {}) => ({ ok: false as const, error: { code, message: code, ...extra } });

describe('sendOutcome', () => {
  it('an ok ack is sent', () => {
    expect(sendOutcome({ ok: true }, true)).toEqual({ kind: 'sent' });
  });

  it('unavailable is busy, retried after retry_after seconds, not failed', () => {
    expect(sendOutcome(err('unavailable', { retry_after: 2 }), true)).toEqual({ kind: 'busy', retryInMs: 2000 });
    expect(sendOutcome(err('unavailable', { retry_after: 0.5 }), true)).toEqual({ kind: 'busy', retryInMs: 500 });
  });

  it('unavailable without a usable retry_after waits a default, bounded both ways', () => {
    expect(busyDelayMs(undefined)).toBe(1000);
    expect(busyDelayMs('3')).toBe(1000);
    expect(busyDelayMs(-1)).toBe(1000);
    expect(busyDelayMs(0)).toBe(MIN_BUSY_RETRY_MS);
    expect(busyDelayMs(3600)).toBe(MAX_BUSY_RETRY_MS);
  });

  it('a timeout after the connection dropped waits for the next connection', () => {
    expect(sendOutcome(err('timeout'), false)).toEqual({ kind: 'queued' });
    expect(sendOutcome(err('timeout'), true)).toMatchObject({ kind: 'failed', retryable: true });
  });

  it('refusals that cannot succeed again are final; others may be retried by hand', () => {
    for (const code of ['validation_error', 'forbidden', 'not_found']) {
      expect(sendOutcome(err(code), true)).toMatchObject({ kind: 'failed', retryable: false });
    }
    expect(sendOutcome(err('rate_limited'), true)).toMatchObject({ kind: 'failed', retryable: true });
  });
});

describe('busy pending messages', () => {
  const pending = (tl: RoomTimeline) => tl.addPending({ clientMsgId: 'c1', roomId: 1, body: 'hi', sender: user(1), createdAt: '2026-01-01T00:00:00Z' });

  it('go busy, then sending again under the same client_msg_id, then sent', () => {
    const tl = new RoomTimeline(1, 0);
    pending(tl);
    tl.markBusy('c1');
    expect(tl.getPending('c1')?.state).toBe('busy');
    tl.markSending('c1');
    tl.markSent('c1');
    expect(tl.pendingMessages().map((p) => [p.clientMsgId, p.state])).toEqual([['c1', 'sent']]);
  });

  it('wait for the connection when it drops while busy', () => {
    const tl = new RoomTimeline(1, 0);
    pending(tl);
    tl.markBusy('c1');
    tl.markQueued('c1');
    expect(tl.getPending('c1')?.state).toBe('queued');
  });

  it('a late busy answer never undoes an ok ack', () => {
    const tl = new RoomTimeline(1, 0);
    pending(tl);
    tl.markSent('c1');
    tl.markBusy('c1');
    expect(tl.getPending('c1')?.state).toBe('sent');
  });
});

describe('sendPayload (PROTOCOL §6 attachment_ids)', () => {
  const a = (id: number) => ({ id, name: `${id}.png`, content_type: 'image/png', size: 1, width: 1, height: 1, url: `/a/${id}`, thumbnail_url: null });

  it('without files: the v1 payload, no attachment_ids', () => {
    const tl = new RoomTimeline(1);
    tl.addPending({ clientMsgId: 'c1', roomId: 1, body: 'hi', sender: user(1), createdAt: '2026-01-01T00:00:00Z' });
    expect(sendPayload(tl.getPending('c1')!)).toEqual({ room_id: 1, body: 'hi', client_msg_id: 'c1' });
  });

  it('the same ids and client_msg_id on every attempt: queued offline, failed, busy, retried', () => {
    const tl = new RoomTimeline(1);
    tl.addPending({ clientMsgId: 'c2', roomId: 1, body: '', sender: user(1), createdAt: '2026-01-01T00:00:00Z', attachments: [a(5), a(9)] });
    const first = sendPayload(tl.getPending('c2')!);
    expect(first).toEqual({ room_id: 1, body: '', client_msg_id: 'c2', attachment_ids: [5, 9] });
    tl.markQueued('c2');
    expect(sendPayload(tl.getPending('c2')!)).toEqual(first);
    tl.markSending('c2');
    tl.markFailed('c2', 'no connection', true);
    expect(sendPayload(tl.getPending('c2')!)).toEqual(first);
    tl.markBusy('c2');
    tl.markSending('c2');
    expect(sendPayload(tl.getPending('c2')!)).toEqual(first);
  });
});

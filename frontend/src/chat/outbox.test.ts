import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_BODY } from '../limits';
import { room, user } from '../state/fixtures';
import { FakeTransport } from './fakes';
import { OFFLINE, Outbox, sendErrorText } from './outbox';
import { ChatStore, type Change } from './store';

function setup() {
  const store = new ChatStore(user(1, 'me'));
  store.connection = 'connected';
  const transport = new FakeTransport();
  const changes: Change[] = [];
  store.subscribe((c) => changes.push(c));
  let idle = 0;
  const outbox = new Outbox(store, transport, () => idle++);
  const pending = (roomId = 5) => store.timeline(roomId).pendingMessages();
  return { store, transport, outbox, changes, pending, idle: () => idle };
}

const sendIds = (t: FakeTransport) =>
  t.emitted.filter((e) => e.event === 'message:send').map((e) => (e.payload as { client_msg_id: string }).client_msg_id);

afterEach(() => {
  vi.useRealTimers();
});

describe('Outbox', () => {
  it('shows a message at once as pending, sends it and marks it sent on the ack', async () => {
    const { transport, outbox, changes, pending, idle } = setup();
    expect(outbox.send(5, '  hello  ')).toBeNull();
    expect(pending()).toHaveLength(1);
    expect(pending()[0]).toMatchObject({ body: 'hello', state: 'sending' });
    expect(changes[0]).toEqual({ type: 'timeline', roomId: 5, reason: 'pending', mine: true });
    expect(idle()).toBe(1);
    await vi.waitFor(() => expect(pending()[0]?.state).toBe('sent'));
    expect(transport.emitted[0]).toEqual({ event: 'message:send', payload: { room_id: 5, body: 'hello', client_msg_id: pending()[0]!.clientMsgId } });
  });

  it('refuses an empty or too long message without sending anything', () => {
    const { transport, outbox, pending } = setup();
    expect(outbox.send(5, '   ')).toBeNull();
    expect(outbox.send(5, 'x'.repeat(MAX_BODY + 1))).toBe(`Messages are limited to ${MAX_BODY} characters.`);
    expect(pending()).toHaveLength(0);
    expect(transport.emitted).toHaveLength(0);
  });

  it('holds a message written offline without sending it', () => {
    const { transport, outbox, pending } = setup();
    transport.connected = false;
    outbox.send(5, 'later');
    expect(pending()[0]?.state).toBe('queued');
    expect(transport.emitted).toHaveLength(0);
  });

  it('resends queued and offline-failed messages of the rooms in the list on reconnect', async () => {
    const { store, transport, outbox, pending } = setup();
    store.rooms.setFromServer([room(5)]);
    transport.connected = false;
    outbox.send(5, 'one');
    transport.connected = true;
    transport.answers.push({ ok: false, error: { code: 'timeout', message: 'No answer from the server.' } });
    outbox.send(5, 'two');
    await vi.waitFor(() => expect(pending()[1]).toMatchObject({ state: 'failed', error: OFFLINE }));
    outbox.resendHeld();
    await vi.waitFor(() => expect(pending().map((p) => p.state)).toEqual(['sent', 'sent']));
    const ids = pending().map((p) => p.clientMsgId);
    expect(sendIds(transport)).toEqual([ids[1], ids[0], ids[1]]);
  });

  it('retries a message the server was too busy for after retry_after, with the same client_msg_id', async () => {
    vi.useFakeTimers();
    const { transport, outbox, pending } = setup();
    transport.answers.push({ ok: false, error: { code: 'unavailable', message: 'busy', retry_after: 2 } });
    outbox.send(5, 'hi');
    await vi.waitFor(() => expect(pending()[0]?.state).toBe('busy'));
    expect(sendIds(transport)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.waitFor(() => expect(pending()[0]?.state).toBe('sent'));
    const id = pending()[0]!.clientMsgId;
    expect(sendIds(transport)).toEqual([id, id]);
  });

  it('a dropped connection turns a busy message into a queued one and cancels its retry', async () => {
    vi.useFakeTimers();
    const { transport, outbox, pending } = setup();
    transport.answers.push({ ok: false, error: { code: 'unavailable', message: 'busy', retry_after: 1 } });
    outbox.send(5, 'hi');
    await vi.waitFor(() => expect(pending()[0]?.state).toBe('busy'));
    transport.connected = false;
    outbox.holdAll();
    expect(pending()[0]?.state).toBe('queued');
    await vi.advanceTimersByTimeAsync(5000);
    expect(sendIds(transport)).toHaveLength(1);
  });

  it('shows why the server refused a message', async () => {
    const { transport, outbox, pending } = setup();
    transport.answers.push({ ok: false, error: { code: 'validation_error', message: 'bad', details: { body: ['empty once cleaned'] } } as never });
    outbox.send(5, '<b></b>');
    await vi.waitFor(() => expect(pending()[0]).toMatchObject({ state: 'failed', error: 'empty once cleaned', retryable: false }));
    expect(sendErrorText({ code: 'rate_limited', message: 'slow down' })).toBe('you are sending too fast');
    expect(sendErrorText({ code: 'forbidden', message: 'not a member' })).toBe('not a member');
  });

  it('a reaction toggles: remove when this user already reacted with it', async () => {
    const { transport, outbox } = setup();
    const m = { id: 9, reactions: [{ emoji: '👍', count: 1, user_ids: [1] }] } as never;
    expect(await outbox.react(m, '👍')).toBeNull();
    expect(await outbox.react(m, '🎉')).toBeNull();
    expect(transport.emitted.map((e) => e.event)).toEqual(['reaction:remove', 'reaction:add']);
  });
});

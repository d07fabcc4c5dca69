import { describe, expect, it } from 'vitest';
import { replyCountText, replyingTo, shorten } from './reply';
import { sendPayload } from './outbox';
import { RoomTimeline } from './timeline';
import { user } from './fixtures';

describe('reply wording', () => {
  it('counts replies', () => {
    expect(replyCountText(1)).toBe('1 reply');
    expect(replyCountText(4)).toBe('4 replies');
  });

  it('shortens on a word boundary', () => {
    expect(shorten('short')).toBe('short');
    expect(shorten('one two three four five', 15)).toBe('one two three…');
    expect(shorten('a\n  b')).toBe('a b');
  });

  it('says whom and what', () => {
    expect(replyingTo({ sender: user(2, 'dave') }, 'hello', 1)).toEqual({ who: 'dave', text: 'hello' });
    expect(replyingTo({ sender: user(1) }, 'x', 1).who).toBe('yourself');
    expect(replyingTo({ sender: user(2) }, '', 1).text).toBe('a deleted message');
  });
});

describe('a reply in the outbox', () => {
  it('keeps reply_to_id on every attempt: first send, offline queue, retry', () => {
    const tl = new RoomTimeline(1);
    const replyTo = { id: 77, seq: 7, sender: user(2), excerpt: 'the question' };
    tl.addPending({ clientMsgId: 'c1', roomId: 1, body: 'the answer', sender: user(1), createdAt: '2026-01-01T00:00:00Z', replyTo });
    expect(sendPayload(tl.getPending('c1')!)).toEqual({ room_id: 1, body: 'the answer', client_msg_id: 'c1', reply_to_id: 77 });
    tl.markQueued('c1');
    tl.markSending('c1');
    tl.markFailed('c1', 'no connection');
    tl.markBusy('c1');
    expect(sendPayload(tl.getPending('c1')!).reply_to_id).toBe(77);
  });

  it('sends no reply_to_id for a plain message', () => {
    expect(sendPayload({ roomId: 1, body: 'b', clientMsgId: 'c' })).toEqual({ room_id: 1, body: 'b', client_msg_id: 'c' });
  });
});

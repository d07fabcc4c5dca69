import { describe, expect, it } from 'vitest';
import { RoomTimeline, isNewerVersion } from './timeline';
import { msg, range, user } from './fixtures';

const seqs = (t: RoomTimeline) => t.messages().map((m) => m.seq);

describe('ordering by seq', () => {
  it('keeps messages in seq order whatever order they arrive in', () => {
    const t = new RoomTimeline(1);
    for (const s of [3, 1, 5, 2, 4]) t.upsert(msg(s));
    expect(seqs(t)).toEqual([1, 2, 3, 4, 5]);
  });

  it('ignores messages of another room', () => {
    const t = new RoomTimeline(1);
    expect(t.upsert(msg(1, { room_id: 2 }))).toBe('ignored');
    expect(t.size).toBe(0);
  });
});

describe('dedupe', () => {
  it('stores a message delivered twice (live and via sync) once', () => {
    const t = new RoomTimeline(1);
    expect(t.upsert(msg(1))).toBe('added');
    expect(t.upsert(msg(1))).toBe('duplicate');
    t.mergePage(range(1, 3), false, 'after');
    expect(seqs(t)).toEqual([1, 2, 3]);
  });

  it('replaces the pending copy when the message with its client_msg_id arrives', () => {
    const t = new RoomTimeline(1);
    t.addPending({ clientMsgId: 'abc', roomId: 1, body: 'hi', sender: user(1), createdAt: 'x' });
    expect(t.pendingMessages()).toHaveLength(1);
    t.upsert(msg(7, { client_msg_id: 'abc', sender: user(1) }));
    expect(t.pendingMessages()).toHaveLength(0);
    expect(seqs(t)).toEqual([7]);
  });

  it('does not resurrect a pending message the server already delivered', () => {
    const t = new RoomTimeline(1);
    t.upsert(msg(1, { client_msg_id: 'abc' }));
    expect(t.addPending({ clientMsgId: 'abc', roomId: 1, body: 'hi', sender: user(1), createdAt: 'x' })).toBe(false);
    expect(t.pendingMessages()).toHaveLength(0);
  });

  it('keeps the newer version of an edited message, and a deletion is final', () => {
    const t = new RoomTimeline(1);
    t.upsert(msg(1));
    const edited = msg(1, { body: 'edited', edited_at: '2026-01-02T00:00:00Z' });
    expect(t.applyUpdate(edited)).toBe('updated');
    // an older copy from a history page fetched before the edit does not win
    expect(t.upsert(msg(1))).toBe('duplicate');
    expect(t.get(1)?.body).toBe('edited');
    const deleted = msg(1, { body: '', deleted: true, edited_at: '2026-01-02T00:00:00Z' });
    expect(t.applyUpdate(deleted)).toBe('updated');
    expect(t.upsert(edited)).toBe('duplicate');
    expect(t.get(1)?.deleted).toBe(true);
  });

  it('compares versions', () => {
    const base = msg(1);
    expect(isNewerVersion(base, base)).toBe(false);
    expect(isNewerVersion(base, { ...base, deleted: true })).toBe(true);
    expect(isNewerVersion({ ...base, edited_at: '2026-01-03T00:00:00Z' }, { ...base, edited_at: '2026-01-02T00:00:00Z' })).toBe(false);
  });
});

describe('gap detection', () => {
  it('reports the last contiguous seq above the floor', () => {
    const t = new RoomTimeline(1);
    t.mergePage(range(1, 5), false, 'latest');
    expect(t.lastContiguousSeq()).toBe(5);
    t.upsert(msg(8));
    expect(t.lastContiguousSeq()).toBe(5);
    expect(t.gaps()).toEqual([[6, 7]]);
    expect(t.hasGap()).toBe(true);
    t.mergePage(range(6, 7), false, 'after');
    expect(t.lastContiguousSeq()).toBe(8);
    expect(t.gaps()).toEqual([]);
  });

  it('uses the known last_seq of an unopened room as its floor', () => {
    const t = new RoomTimeline(1, 10);
    expect(t.lastContiguousSeq()).toBe(10);
    t.upsert(msg(11));
    expect(t.lastContiguousSeq()).toBe(11);
    t.upsert(msg(13));
    expect(t.gaps()).toEqual([[12, 12]]);
  });

  it('treats what is below the newest page as older history, not a gap', () => {
    const t = new RoomTimeline(1);
    t.mergePage(range(51, 100), true, 'latest');
    expect(t.lastContiguousSeq()).toBe(100);
    expect(t.gaps()).toEqual([]);
    expect(t.hasMoreBefore).toBe(true);
  });

  it('drops a stale window that the newest page does not connect with', () => {
    const t = new RoomTimeline(1);
    t.mergePage(range(1, 10), false, 'latest');
    t.mergePage(range(61, 110), true, 'latest');
    expect(seqs(t)).toEqual(range(61, 110).map((m) => m.seq));
    expect(t.hasMoreBefore).toBe(true);
    expect(t.gaps()).toEqual([]);
  });
});

describe('history merge', () => {
  it('prepends older pages and tracks whether more exist', () => {
    const t = new RoomTimeline(1);
    t.mergePage(range(101, 150), true, 'latest');
    expect(t.oldestSeq()).toBe(101);
    t.mergePage(range(51, 100), true, 'before');
    expect(t.hasMoreBefore).toBe(true);
    t.mergePage(range(1, 50), false, 'before');
    expect(t.hasMoreBefore).toBe(false);
    expect(seqs(t)).toEqual(range(1, 150).map((m) => m.seq));
  });

  it('merges overlapping pages without duplicates', () => {
    const t = new RoomTimeline(1);
    t.mergePage(range(40, 60), true, 'latest');
    const r = t.mergePage(range(30, 45), true, 'before');
    expect(r.added).toBe(10);
    expect(t.size).toBe(31);
    expect(t.lastContiguousSeq()).toBe(60);
  });

  it('an empty latest page means an empty room', () => {
    const t = new RoomTimeline(1);
    t.mergePage([], false, 'latest');
    expect(t.hasMoreBefore).toBe(false);
    expect(t.loadedLatest).toBe(true);
  });

  it('live messages that arrived before the first page are kept', () => {
    const t = new RoomTimeline(1, 20);
    t.upsert(msg(21));
    t.mergePage(range(1, 21), false, 'latest');
    expect(seqs(t)).toEqual(range(1, 21).map((m) => m.seq));
    expect(t.lastContiguousSeq()).toBe(21);
  });
});

describe('pending messages', () => {
  const pending = { clientMsgId: 'c1', roomId: 1, body: 'hi', sender: user(1), createdAt: 'x' };

  it('moves through sending → sent, and is replaced by the delivered message', () => {
    const t = new RoomTimeline(1);
    t.addPending(pending);
    expect(t.getPending('c1')?.state).toBe('sending');
    t.markSent('c1');
    expect(t.getPending('c1')?.state).toBe('sent');
    t.upsert(msg(1, { client_msg_id: 'c1' }));
    expect(t.getPending('c1')).toBeUndefined();
  });

  it('waits while offline (queued), then goes out again with the same client_msg_id', () => {
    const t = new RoomTimeline(1);
    t.addPending(pending);
    t.markQueued('c1');
    expect(t.getPending('c1')?.state).toBe('queued');
    t.markSending('c1');
    expect(t.getPending('c1')?.state).toBe('sending');
    expect(t.getPending('c1')?.clientMsgId).toBe('c1');
  });

  it('is not queued again once the server acknowledged it', () => {
    const t = new RoomTimeline(1);
    t.addPending(pending);
    t.markSent('c1');
    t.markQueued('c1');
    expect(t.getPending('c1')?.state).toBe('sent');
  });

  it('can fail and be retried with the same client_msg_id', () => {
    const t = new RoomTimeline(1);
    t.addPending(pending);
    t.markFailed('c1', 'timeout');
    expect(t.getPending('c1')).toMatchObject({ state: 'failed', error: 'timeout' });
    t.markSending('c1');
    expect(t.getPending('c1')?.state).toBe('sending');
    expect(t.getPending('c1')?.error).toBeUndefined();
    expect(t.getPending('c1')?.clientMsgId).toBe('c1');
  });

  it('remembers whether a failure is worth retrying', () => {
    const t = new RoomTimeline(1);
    t.addPending(pending);
    t.markFailed('c1', 'refused', false);
    expect(t.getPending('c1')?.retryable).toBe(false);
    t.markSending('c1');
    expect(t.getPending('c1')?.retryable).toBeUndefined();
  });

  it('a late timeout does not override a successful ack', () => {
    const t = new RoomTimeline(1);
    t.addPending(pending);
    t.markSent('c1');
    t.markFailed('c1', 'timeout');
    expect(t.getPending('c1')?.state).toBe('sent');
  });

  it('keeps pending messages in the order they were written', () => {
    const t = new RoomTimeline(1);
    t.addPending({ ...pending, clientMsgId: 'a' });
    t.addPending({ ...pending, clientMsgId: 'b' });
    expect(t.pendingMessages().map((p) => p.clientMsgId)).toEqual(['a', 'b']);
  });
});

describe('reactions and reply counts (PROTOCOL §6)', () => {
  it('takes a message:updated that only changes reactions or the reply count', () => {
    const tl = new RoomTimeline(1);
    tl.mergePage([msg(1)], false, 'latest');
    expect(tl.applyUpdate(msg(1, { reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }))).toBe('updated');
    expect(tl.get(1)?.reactions?.[0]?.count).toBe(1);
    expect(tl.applyUpdate(msg(1, { reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }))).toBe('duplicate');
    expect(tl.applyUpdate(msg(1, { reply_count: 1, reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }))).toBe('updated');
    expect(tl.get(1)?.reply_count).toBe(1);
    expect(tl.applyUpdate(msg(1, { reactions: [] }))).toBe('updated'); // removed
  });

  it('never undoes a deletion or an edit for a counter change', () => {
    const tl = new RoomTimeline(1);
    tl.mergePage([msg(1)], false, 'latest');
    tl.applyUpdate(msg(1, { edited_at: '2026-01-02T00:00:00Z', body: 'edited' }));
    expect(tl.applyUpdate(msg(1, { reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }))).toBe('duplicate');
    tl.applyUpdate(msg(1, { deleted: true, body: '' }));
    expect(tl.applyUpdate(msg(1, { deleted: true, body: '', reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }))).toBe('duplicate');
  });
});

/**
 * One room's messages as this client knows them: confirmed messages ordered by `seq`, plus the
 * messages this client is still sending. Pure logic, no DOM, no network — the app feeds it what
 * arrives (history pages, `message:new`, `message:updated`, `sync` results, acks) in any order
 * and any number of times, and it keeps exactly one copy of each message.
 *
 * Invariants:
 * - a confirmed message is stored once, keyed by `seq` (the server's position in the room);
 * - a pending message disappears as soon as the confirmed message with its `client_msg_id` arrives;
 * - `floor` is the seq below which missing messages are "older history" (fetched by scrolling up),
 *   not a gap. Above the floor every seq up to `lastContiguousSeq()` is present.
 */
import type { Attachment, Message, ReplyRef, User } from '../types';

/**
 * `queued`: written while offline, goes out on reconnect (same client_msg_id).
 * `busy`: refused as `unavailable` (overload); goes out again by itself after `retry_after`.
 */
export type PendingState = 'queued' | 'sending' | 'busy' | 'sent' | 'failed';

export interface PendingMessage {
  clientMsgId: string;
  roomId: number;
  body: string;
  sender: User;
  /** Client clock, ISO 8601. */
  createdAt: string;
  state: PendingState;
  error?: string;
  /** False when sending the same body again cannot succeed (refused as invalid or forbidden). */
  retryable?: boolean;
  /** PROTOCOL §6: the message this one answers; sent as `reply_to_id` on every attempt. */
  replyTo?: ReplyRef;
  /** Uploads going with it (PROTOCOL §6): their ids go out on every attempt. */
  attachments?: Attachment[];
}

export type UpsertResult = 'added' | 'updated' | 'duplicate' | 'ignored';

export type PageKind = 'latest' | 'before' | 'after';

export interface MergeResult {
  added: number;
  updated: number;
}

/** True when `incoming` is a later version of the same message than `current`. */
export function isNewerVersion(current: Message, incoming: Message): boolean {
  if (current.deleted) return false; // deletion is final
  if (incoming.deleted) return true;
  if (incoming.edited_at === null) return false;
  if (current.edited_at === null) return true;
  if (incoming.edited_at !== current.edited_at) return incoming.edited_at > current.edited_at;
  return incoming.body !== current.body && Date.parse(incoming.edited_at) >= Date.parse(current.edited_at);
}

/**
 * The same version of a message (same edit, not deleted) whose reactions or reply count changed:
 * those change without an edit (PROTOCOL §6), each change re-sent as `message:updated` in order,
 * so the copy that arrives last is the current one.
 */
export function countersChanged(current: Message, incoming: Message): boolean {
  if (current.deleted || incoming.deleted) return false;
  if (current.edited_at !== incoming.edited_at || current.body !== incoming.body) return false;
  return (
    (current.reply_count ?? 0) !== (incoming.reply_count ?? 0) ||
    JSON.stringify(current.reactions ?? []) !== JSON.stringify(incoming.reactions ?? [])
  );
}

export class RoomTimeline {
  readonly roomId: number;
  /** Seqs at or below this that are not loaded are older history, not a gap. */
  floor: number;
  /** Whether older messages may exist before the oldest loaded one. */
  hasMoreBefore = true;
  /** Whether the latest page has been fetched since the timeline was created. */
  loadedLatest = false;

  private readonly bySeq = new Map<number, Message>();
  private readonly seqByClientId = new Map<string, number>();
  private readonly pending = new Map<string, PendingMessage>();
  private sorted: Message[] | null = null;

  constructor(roomId: number, floor = 0) {
    this.roomId = roomId;
    this.floor = Math.max(0, floor);
  }

  /** Confirmed messages in ascending seq order. */
  messages(): readonly Message[] {
    if (this.sorted === null) {
      this.sorted = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    }
    return this.sorted;
  }

  /** Messages still on their way, oldest first. */
  pendingMessages(): readonly PendingMessage[] {
    return [...this.pending.values()];
  }

  get size(): number {
    return this.bySeq.size;
  }

  get(seq: number): Message | undefined {
    return this.bySeq.get(seq);
  }

  findById(id: number): Message | undefined {
    for (const m of this.bySeq.values()) if (m.id === id) return m;
    return undefined;
  }

  hasClientMsgId(clientMsgId: string): boolean {
    return this.seqByClientId.has(clientMsgId);
  }

  oldestSeq(): number | null {
    const all = this.messages();
    return all.length > 0 ? all[0]!.seq : null;
  }

  /** The highest seq loaded, or the floor when nothing above it is loaded. */
  latestSeq(): number {
    const all = this.messages();
    const last = all.length > 0 ? all[all.length - 1]!.seq : 0;
    return Math.max(last, this.floor);
  }

  /**
   * The highest seq up to which nothing is missing above the floor: what to pass to `sync`
   * (or `after_seq`) to receive exactly the messages this client lacks.
   */
  lastContiguousSeq(): number {
    let seq = this.floor;
    for (const m of this.messages()) {
      if (m.seq <= seq) continue;
      if (m.seq !== seq + 1) break;
      seq = m.seq;
    }
    return seq;
  }

  /** Missing ranges `[from, to]` (inclusive) above the floor. */
  gaps(): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    let expected = this.floor + 1;
    for (const m of this.messages()) {
      if (m.seq < expected) continue;
      if (m.seq > expected) result.push([expected, m.seq - 1]);
      expected = m.seq + 1;
    }
    return result;
  }

  hasGap(): boolean {
    return this.lastContiguousSeq() < this.latestSeq();
  }

  /**
   * Store one confirmed message (from `message:new`, a history page or `sync`). A message at a
   * seq already held replaces it only when it is a newer version (edited later, or deleted).
   * The pending message with the same `client_msg_id` is dropped: the server has it.
   */
  upsert(message: Message): UpsertResult {
    if (message.room_id !== this.roomId) return 'ignored';
    if (message.client_msg_id) this.pending.delete(message.client_msg_id);
    const current = this.bySeq.get(message.seq);
    if (current !== undefined) {
      if (!isNewerVersion(current, message) && !countersChanged(current, message)) return 'duplicate';
      this.bySeq.set(message.seq, message);
      this.sorted = null;
      return 'updated';
    }
    this.bySeq.set(message.seq, message);
    if (message.client_msg_id) this.seqByClientId.set(message.client_msg_id, message.seq);
    this.sorted = null;
    return 'added';
  }

  /**
   * Apply `message:updated`. An edit of a message older than anything loaded is ignored (it will
   * come with its history page); anything else is stored like a new message.
   */
  applyUpdate(message: Message): UpsertResult {
    if (message.room_id !== this.roomId) return 'ignored';
    const oldest = this.oldestSeq();
    if (!this.bySeq.has(message.seq) && message.seq <= this.floor && (oldest === null || message.seq < oldest)) {
      return 'ignored';
    }
    return this.upsert(message);
  }

  /**
   * Merge a page of messages (ascending seq) fetched from history or `sync`.
   * - `latest`: the newest messages (no cursor). Anything below the page is older history.
   * - `before`: an older page (`before_seq`); `hasMore` tells if there are older ones still.
   * - `after`: a gap fill (`after_seq` / `sync`); `hasMore` means the caller must fetch again.
   */
  mergePage(messages: readonly Message[], hasMore: boolean, kind: PageKind): MergeResult {
    const result: MergeResult = { added: 0, updated: 0 };
    const first = messages.length > 0 ? messages[0]!.seq : null;
    const oldestBefore = this.oldestSeq();
    if (kind === 'latest' && first !== null && this.lastContiguousSeq() < first - 1) {
      // The newest page does not connect with what we hold: everything below it becomes older
      // history again, reached by paging up, so the view never shows a hole.
      this.dropBelow(first);
      this.floor = first - 1;
      this.hasMoreBefore = hasMore;
    } else if ((kind === 'latest' || kind === 'before') && first !== null) {
      if (oldestBefore === null || first <= oldestBefore) this.hasMoreBefore = hasMore;
    } else if (kind === 'before' || kind === 'latest') {
      // An empty page: nothing older (before), or an empty room (latest).
      if (kind === 'before' || this.size === 0) this.hasMoreBefore = false;
    }
    if (kind === 'latest') this.loadedLatest = true;
    for (const m of messages) {
      const r = this.upsert(m);
      if (r === 'added') result.added += 1;
      else if (r === 'updated') result.updated += 1;
    }
    if (this.oldestSeq() === 1) this.hasMoreBefore = false;
    return result;
  }

  private dropBelow(seq: number): void {
    for (const [s, m] of this.bySeq) {
      if (s >= seq) continue;
      this.bySeq.delete(s);
      if (m.client_msg_id) this.seqByClientId.delete(m.client_msg_id);
    }
    this.sorted = null;
  }

  // --- pending messages ---------------------------------------------------------------------

  /** Add a message being sent. Ignored when the server already has that client_msg_id. */
  addPending(p: Omit<PendingMessage, 'state'> & { state?: PendingState }): boolean {
    if (this.seqByClientId.has(p.clientMsgId)) return false;
    this.pending.set(p.clientMsgId, { ...p, state: p.state ?? 'sending' });
    return true;
  }

  getPending(clientMsgId: string): PendingMessage | undefined {
    return this.pending.get(clientMsgId);
  }

  /** The server acknowledged it (queued durably); `message:new` will follow. */
  markSent(clientMsgId: string): void {
    this.setPendingState(clientMsgId, 'sent');
  }

  markFailed(clientMsgId: string, error: string, retryable = true): void {
    this.setPendingState(clientMsgId, 'failed', error, retryable);
  }

  /** No connection: it waits and goes out after reconnecting. */
  markQueued(clientMsgId: string): void {
    const p = this.pending.get(clientMsgId);
    if (p !== undefined && p.state !== 'sent') this.setPendingState(clientMsgId, 'queued');
  }

  /** The server is overloaded: it is retried by itself soon (not failed). */
  markBusy(clientMsgId: string): void {
    const p = this.pending.get(clientMsgId);
    if (p !== undefined && p.state !== 'sent') this.setPendingState(clientMsgId, 'busy');
  }

  /** A retry: the same client_msg_id goes out again, so the server can dedupe it. */
  markSending(clientMsgId: string): void {
    this.setPendingState(clientMsgId, 'sending');
  }

  discardPending(clientMsgId: string): void {
    this.pending.delete(clientMsgId);
  }

  private setPendingState(clientMsgId: string, state: PendingState, error?: string, retryable?: boolean): void {
    const p = this.pending.get(clientMsgId);
    if (p === undefined) return; // already confirmed
    if (state === 'failed' && p.state === 'sent') return; // an ack already said ok
    const next: PendingMessage = { ...p, state };
    if (error !== undefined) next.error = error;
    else delete next.error;
    if (retryable !== undefined) next.retryable = retryable;
    else delete next.retryable;
    this.pending.set(clientMsgId, next);
  }
}

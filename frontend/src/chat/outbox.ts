/**
 * Everything this user sends about messages: new messages (shown at once as pending, delivered
 * with a `client_msg_id` the server dedupes on, held while offline, retried when the server is
 * busy), edits, deletes and reactions.
 */
import { MAX_BODY } from '../limits';
import { newClientMsgId } from '../realtime';
import { sendOutcome, sendPayload } from '../state/outbox';
import { reactionAction } from '../state/reactions';
import type { AckError, Attachment, Message, ReplyRef } from '../types';
import type { ChatStore, Transport } from './store';

/** The error a message shows while it waits for the connection (it is resent on reconnect). */
export const OFFLINE = 'no connection';
const SEND_TIMEOUT_MS = 10_000;

export interface SendOptions {
  replyTo?: ReplyRef;
  attachments?: readonly Attachment[];
}

export class Outbox {
  /** Messages refused as `unavailable`, waiting for their automatic retry. */
  private readonly busyTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly store: ChatStore,
    private readonly transport: Transport,
    /** Called when a message goes out: the user is no longer typing. */
    private readonly sent: () => void,
  ) {}

  /** Optimistically add the message and send it; returns an error to show, or null. */
  send(roomId: number, text: string, opts: SendOptions = {}): string | null {
    const attachments = opts.attachments ?? [];
    const body = text.trim();
    // With files (PROTOCOL §6) the body may be empty.
    if (body.length === 0 && attachments.length === 0) return null;
    if (body.length > MAX_BODY) return `Messages are limited to ${MAX_BODY} characters.`;
    const tl = this.store.timeline(roomId);
    const clientMsgId = newClientMsgId();
    tl.addPending({
      clientMsgId,
      roomId,
      body,
      sender: this.store.me,
      createdAt: new Date().toISOString(),
      ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
      ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
    });
    this.sent();
    this.store.emit({ type: 'timeline', roomId, reason: 'pending', mine: true });
    void this.deliver(roomId, clientMsgId);
    return null;
  }

  /** Send a failed message again, with the same client_msg_id so the server can dedupe it. */
  retry(roomId: number, clientMsgId: string): void {
    const tl = this.store.timeline(roomId);
    if (!tl.getPending(clientMsgId)) return;
    tl.markSending(clientMsgId);
    this.store.emit({ type: 'timeline', roomId, reason: 'pending' });
    void this.deliver(roomId, clientMsgId);
  }

  discard(roomId: number, clientMsgId: string): void {
    this.cancelBusyRetry(clientMsgId);
    this.store.timeline(roomId).discardPending(clientMsgId);
    this.store.emit({ type: 'timeline', roomId, reason: 'pending' });
  }

  /** The connection dropped: messages on their way say at once that they wait for it. */
  holdAll(): void {
    for (const [roomId, tl] of this.store.allTimelines()) {
      let changed = false;
      for (const p of tl.pendingMessages()) {
        if (p.state === 'sending' || p.state === 'busy') {
          this.cancelBusyRetry(p.clientMsgId);
          tl.markQueued(p.clientMsgId);
          changed = true;
        }
      }
      if (changed) this.store.emit({ type: 'timeline', roomId, reason: 'pending' });
    }
  }

  /** Reconnected: messages written or timed out while offline go out, under the same client_msg_id. */
  resendHeld(): void {
    for (const e of this.store.rooms.sorted()) {
      const tl = this.store.existingTimeline(e.room.id);
      if (!tl) continue;
      for (const p of tl.pendingMessages()) {
        if (p.state === 'queued' || (p.state === 'failed' && p.error === OFFLINE)) this.retry(e.room.id, p.clientMsgId);
      }
    }
  }

  stop(): void {
    for (const t of this.busyTimers.values()) clearTimeout(t);
  }

  async edit(message: Message, body: string): Promise<string | null> {
    const text = body.trim();
    if (text.length === 0) return 'A message cannot be empty. Delete it instead.';
    if (text.length > MAX_BODY) return `Messages are limited to ${MAX_BODY} characters.`;
    const ack = await this.transport.emit('message:edit', { message_id: message.id, body: text });
    return ack.ok ? null : ack.error.message;
  }

  async remove(message: Message): Promise<string | null> {
    const ack = await this.transport.emit('message:delete', { message_id: message.id });
    return ack.ok ? null : ack.error.message;
  }

  /** Toggle this user's reaction: `reaction:remove` when they already reacted with it, else `reaction:add`. */
  async react(message: Message, emoji: string): Promise<string | null> {
    const action = reactionAction(message.reactions, emoji, this.store.me.id);
    const ack = await this.transport.emit(`reaction:${action}`, { message_id: message.id, emoji });
    if (ack.ok) return null;
    return ack.error.code === 'timeout' && !this.store.connected ? 'no connection' : ack.error.message;
  }

  private async deliver(roomId: number, clientMsgId: string): Promise<void> {
    const tl = this.store.timeline(roomId);
    const p = tl.getPending(clientMsgId);
    if (!p) return;
    if (!this.transport.connected) {
      // Say so at once; it goes out by itself after reconnecting (resendHeld).
      tl.markQueued(clientMsgId);
      this.store.emit({ type: 'timeline', roomId, reason: 'pending' });
      return;
    }
    const ack = await this.transport.emit<{ client_msg_id: string }>('message:send', sendPayload(p), SEND_TIMEOUT_MS);
    const outcome = sendOutcome(ack, this.transport.connected);
    switch (outcome.kind) {
      case 'sent':
        tl.markSent(clientMsgId);
        break;
      case 'queued':
        tl.markQueued(clientMsgId); // the connection dropped meanwhile: waits for the next one
        break;
      case 'busy':
        // Overloaded: not queued by the server; the same client_msg_id goes again after retry_after.
        tl.markBusy(clientMsgId);
        this.scheduleBusyRetry(roomId, clientMsgId, outcome.retryInMs);
        break;
      case 'failed':
        tl.markFailed(clientMsgId, outcome.error.code === 'timeout' ? OFFLINE : sendErrorText(outcome.error), outcome.retryable);
        break;
    }
    this.store.emit({ type: 'timeline', roomId, reason: 'pending' });
  }

  private scheduleBusyRetry(roomId: number, clientMsgId: string, delayMs: number): void {
    clearTimeout(this.busyTimers.get(clientMsgId));
    this.busyTimers.set(
      clientMsgId,
      setTimeout(() => {
        this.busyTimers.delete(clientMsgId);
        if (this.store.existingTimeline(roomId)?.getPending(clientMsgId)?.state === 'busy') this.retry(roomId, clientMsgId);
      }, delayMs),
    );
  }

  private cancelBusyRetry(clientMsgId: string): void {
    clearTimeout(this.busyTimers.get(clientMsgId));
    this.busyTimers.delete(clientMsgId);
  }
}

/** The text a refused message shows under it. */
export function sendErrorText(e: AckError): string {
  if (e.code === 'validation_error') {
    const body = (e as AckError & { details?: Record<string, unknown> }).details?.body;
    if (Array.isArray(body) && body.length > 0) return String(body[0]);
    return 'the server refused this message (is it empty once formatting is removed?)';
  }
  if (e.code === 'rate_limited') return 'you are sending too fast';
  return e.message;
}

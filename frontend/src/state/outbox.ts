/**
 * What to do with a message after its `message:send` ack (pure; the controller acts on it).
 * PROTOCOL §6 "Overload": `unavailable` with `retry_after` means "not queued, send the same
 * client_msg_id again later" — the message is busy, not failed.
 */
import type { Ack, AckError } from '../types';
import type { PendingMessage } from './timeline';

export type SendOutcome =
  | { kind: 'sent' }
  /** The connection dropped before an ack: it goes out again after reconnecting. */
  | { kind: 'queued' }
  /** The server is overloaded: retry by itself after `retryInMs`, same client_msg_id. */
  | { kind: 'busy'; retryInMs: number }
  | { kind: 'failed'; error: AckError; retryable: boolean };

/** Without a usable `retry_after` the client waits this long. */
export const DEFAULT_BUSY_RETRY_MS = 1_000;
/** Bounds on the wait: never a busy loop, never so long the user gives up on a live message. */
export const MIN_BUSY_RETRY_MS = 250;
export const MAX_BUSY_RETRY_MS = 30_000;

/** Codes that cannot succeed by sending the same body again. */
const FINAL = new Set(['validation_error', 'forbidden', 'not_found']);

export function busyDelayMs(retryAfter: unknown): number {
  const seconds = typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null;
  const ms = seconds === null ? DEFAULT_BUSY_RETRY_MS : seconds * 1000;
  return Math.min(MAX_BUSY_RETRY_MS, Math.max(MIN_BUSY_RETRY_MS, Math.round(ms)));
}

export function sendOutcome(ack: Ack, connected: boolean): SendOutcome {
  if (ack.ok) return { kind: 'sent' };
  const e = ack.error;
  if (e.code === 'timeout' && !connected) return { kind: 'queued' };
  if (e.code === 'unavailable') return { kind: 'busy', retryInMs: busyDelayMs(e.retry_after) };
  return { kind: 'failed', error: e, retryable: !FINAL.has(e.code) };
}

export interface SendPayload {
  room_id: number;
  body: string;
  client_msg_id: string;
  reply_to_id?: number;
  attachment_ids?: number[];
}

/**
 * The `message:send` payload of a pending message. Built from the pending message itself on every
 * attempt (first send, retry, after reconnecting, after `unavailable`): the same `client_msg_id`,
 * so the server can dedupe it, and the same `reply_to_id` and `attachment_ids`, so a reply stays a
 * reply and the files go with it whichever attempt lands.
 */
export function sendPayload(p: Pick<PendingMessage, 'roomId' | 'body' | 'clientMsgId' | 'replyTo' | 'attachments'>): SendPayload {
  const payload: SendPayload = {
    room_id: p.roomId,
    body: p.body,
    client_msg_id: p.clientMsgId,
  };
  if (p.replyTo) payload.reply_to_id = p.replyTo.id;
  if (p.attachments && p.attachments.length > 0) payload.attachment_ids = p.attachments.map((a) => a.id);
  return payload;
}

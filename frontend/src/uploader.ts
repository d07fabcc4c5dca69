/**
 * The uploads of one signed-in session (PROTOCOL §6 "Files and images"): starts one XHR per file
 * at once, feeds the pure `UploadBoard` with progress, results and failures, and tells the
 * views. It outlives a conversation view, so switching rooms neither loses nor restarts uploads.
 */
import { ApiError } from './api';
import type { ChatController } from './chat/controller';
import { SessionExpired } from './session';
import { DEFAULT_MAX_UPLOAD_BYTES, UploadBoard, uploadErrorText } from './state/uploads';
import type { Attachment } from './types';

export class Uploader {
  readonly board = new UploadBoard();
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Set<(roomId: number) => void>();
  /**
   * Checked before a byte is sent: the gateway's default limit until a 413 tells the real one
   * (`details.max_bytes`; the server publishes it nowhere else), then that, for this session.
   */
  maxBytes = DEFAULT_MAX_UPLOAD_BYTES;

  constructor(private readonly chat: ChatController) {}

  subscribe(fn: (roomId: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Check each file and upload those that pass, all at once. */
  add(roomId: number, files: Iterable<File>): void {
    for (const file of files) {
      const key = this.board.add(roomId, { name: file.name || 'file', size: file.size, type: file.type }, this.maxBytes);
      if (key !== null) void this.upload(roomId, key, file);
    }
    this.emit(roomId);
  }

  /** Cancel an upload in progress, or take a finished one back: it leaves the list. */
  cancel(key: string): void {
    const u = this.board.get(key);
    if (!u) return;
    this.controllers.get(key)?.abort();
    this.controllers.delete(key);
    this.board.remove(key);
    this.emit(u.roomId);
  }

  dismiss(roomId: number, key: string): void {
    if (this.board.dismissError(key)) this.emit(roomId);
  }

  /** The finished uploads of a room, for the message being sent; they leave the list. */
  take(roomId: number): Attachment[] {
    const out = this.board.take(roomId);
    this.emit(roomId);
    return out;
  }

  private async upload(roomId: number, key: string, file: File): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(key, controller);
    let last = 0;
    try {
      const attachment = await this.chat.api.uploadAttachment(roomId, file, file.name || 'file', {
        signal: controller.signal,
        onProgress: (loaded, total) => {
          // At most ~20 redraws per file: a 25 MB upload reports thousands of progress events.
          if (loaded < total && loaded - last < total / 20) return;
          last = loaded;
          if (this.board.progress(key, loaded, total)) this.emit(roomId);
        },
      });
      if (this.board.done(key, attachment)) this.emit(roomId);
    } catch (err) {
      if (controller.signal.aborted) return; // cancelled: already gone from the list
      if (this.board.fail(key, this.describe(err))) this.emit(roomId);
    } finally {
      this.controllers.delete(key);
    }
  }

  private describe(err: unknown): string {
    if (err instanceof ApiError) {
      const max = err.details.max_bytes;
      if (err.code === 'payload_too_large' && typeof max === 'number' && max > 0) {
        this.maxBytes = max;
      }
      return uploadErrorText(
        { status: err.status, code: err.code, message: err.message, details: err.details, retryAfter: err.retryAfter },
        this.maxBytes,
      );
    }
    if (err instanceof SessionExpired) return err.message;
    if (err instanceof TypeError) return uploadErrorText({ status: 0, code: 'network' }, this.maxBytes);
    return err instanceof Error ? err.message : 'Upload failed.';
  }

  private emit(roomId: number): void {
    for (const fn of this.listeners) fn(roomId);
  }
}

const uploaders = new WeakMap<ChatController, Uploader>();

/** The session's uploader (one per controller). */
export function uploaderFor(chat: ChatController): Uploader {
  let u = uploaders.get(chat);
  if (!u) uploaders.set(chat, (u = new Uploader(chat)));
  return u;
}

/**
 * Files waiting to go out with a message (PROTOCOL §6 "Files and images"), per room: pure state,
 * no DOM, no network. The uploader feeds it progress, results and failures; the composer reads
 * it to draw the chips and to send the finished uploads' ids with the message.
 *
 * An upload is `uploading` (with bytes sent so far) and then `done` (with the server's
 * Attachment). A failed or cancelled upload leaves the pending list at once: a failure becomes a
 * per-file error line (until dismissed or the next send), a cancel leaves nothing behind.
 */
import type { Attachment } from '../types';

/** The gateway's default `CHATTY_MAX_UPLOAD_BYTES` (25 MiB); a 413 tells the real one. */
export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/** `message:send` takes at most this many `attachment_ids`. */
export const MAX_ATTACHMENTS = 10;

export interface FileInfo {
  name: string;
  size: number;
  /** The browser's guess from the name (for the icon only; the server sniffs the bytes). */
  type: string;
}

export type UploadState = 'uploading' | 'done';

export interface PendingUpload {
  key: string;
  roomId: number;
  file: FileInfo;
  state: UploadState;
  /** Bytes sent so far (of `total`, the request's size, a little more than the file's). */
  loaded: number;
  total: number;
  attachment?: Attachment;
}

export interface UploadError {
  key: string;
  roomId: number;
  name: string;
  message: string;
}

/** What went wrong with one upload, as the server (or the network) said it. */
export interface UploadFailure {
  /** HTTP status; 0 for a network failure. */
  status: number;
  code: string;
  message?: string;
  details?: Record<string, unknown>;
  retryAfter?: number | null;
}

/** 1536 → "1.5 KB"; binary units, as file managers show them. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  const digits = v < 10 ? 1 : 0;
  return `${v.toFixed(digits).replace(/\.0$/, '')} ${units[i]}`;
}

/** The reason a file cannot be uploaded before sending a byte, or null. */
export function validateFile(file: FileInfo, maxBytes: number): string | null {
  if (file.size === 0) return 'The file is empty.';
  if (file.size > maxBytes) return `Too large (${formatBytes(file.size)}): files are limited to ${formatBytes(maxBytes)}.`;
  return null;
}

/** A short, specific sentence for a failed upload. */
export function uploadErrorText(f: UploadFailure, maxBytes: number): string {
  if (f.status === 0) return 'Upload failed: cannot reach the server. Check your connection and try again.';
  switch (f.code) {
    case 'payload_too_large': {
      const max = typeof f.details?.max_bytes === 'number' ? f.details.max_bytes : maxBytes;
      return `Too large: files are limited to ${formatBytes(max)}.`;
    }
    case 'quota_exceeded': {
      const left = f.details?.quota_left_bytes;
      return typeof left === 'number' && left > 0
        ? `Your storage quota is used up: ${formatBytes(left)} left. Delete old files or ask an admin.`
        : 'Your storage quota is used up. Delete old files or ask an admin.';
    }
    case 'rate_limited':
      return f.retryAfter ? `Too many uploads. Try again in ${f.retryAfter} s.` : 'Too many uploads. Try again in a minute.';
    case 'forbidden':
    case 'not_found':
      return 'You are not a member of this room any more.';
    case 'validation_error': {
      const file = f.details?.file;
      if (Array.isArray(file) && file.length > 0) return `Refused: ${String(file[0])}.`;
      return f.message ? `Refused: ${f.message}` : 'The server refused this file.';
    }
    case 'unauthorized':
      return 'Your session has ended. Sign in again.';
    case 'unavailable':
      return 'The server is busy. Try again shortly.';
    default:
      return f.message || `Upload failed (${f.status}).`;
  }
}

/** True for the images the server shows inline (it decides from the bytes; this is the icon). */
export function isImage(a: Pick<Attachment, 'content_type' | 'thumbnail_url'>): boolean {
  return a.thumbnail_url !== null && a.content_type.startsWith('image/');
}

/** The thumbnail's drawn size: the image scaled into `box`×`box`, never up (matches the server). */
export function thumbSize(width: number | null, height: number | null, box = 320): { width: number; height: number } | null {
  if (!width || !height || width <= 0 || height <= 0) return null;
  const scale = Math.min(1, box / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A family for the file-card icon, from the type and the name's extension. */
export type FileKind = 'image' | 'pdf' | 'archive' | 'audio' | 'video' | 'text' | 'file';

export function fileKind(contentType: string, name: string): FileKind {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  if (contentType.startsWith('image/') || ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp'].includes(ext)) return 'image';
  if (contentType === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (['zip', 'gz', 'tgz', 'tar', 'rar', '7z', 'bz2', 'xz'].includes(ext)) return 'archive';
  if (contentType.startsWith('audio/') || ['mp3', 'wav', 'ogg', 'flac', 'm4a'].includes(ext)) return 'audio';
  if (contentType.startsWith('video/') || ['mp4', 'webm', 'mov', 'mkv', 'avi'].includes(ext)) return 'video';
  if (contentType.startsWith('text/') || ['txt', 'md', 'csv', 'json', 'log', 'py', 'ts', 'js'].includes(ext)) return 'text';
  return 'file';
}

/** Per-room pending uploads and their errors. */
export class UploadBoard {
  private readonly uploads = new Map<string, PendingUpload>();
  private readonly errors = new Map<string, UploadError>();
  private counter = 0;

  list(roomId: number): PendingUpload[] {
    return [...this.uploads.values()].filter((u) => u.roomId === roomId);
  }

  errorsOf(roomId: number): UploadError[] {
    return [...this.errors.values()].filter((e) => e.roomId === roomId);
  }

  get(key: string): PendingUpload | undefined {
    return this.uploads.get(key);
  }

  /** How many more files a message of this room may take. */
  room(roomId: number): number {
    return MAX_ATTACHMENTS - this.list(roomId).length;
  }

  /**
   * Add a file: the new upload's key, or null when it is refused before any byte is sent (the
   * reason is then an error line).
   */
  add(roomId: number, file: FileInfo, maxBytes: number): string | null {
    this.counter += 1;
    const key = `u${this.counter}`;
    const refused = this.room(roomId) <= 0 ? `At most ${MAX_ATTACHMENTS} files go with one message.` : validateFile(file, maxBytes);
    if (refused) {
      this.errors.set(key, { key, roomId, name: file.name, message: refused });
      return null;
    }
    this.uploads.set(key, { key, roomId, file, state: 'uploading', loaded: 0, total: file.size });
    return key;
  }

  progress(key: string, loaded: number, total: number): boolean {
    const u = this.uploads.get(key);
    if (!u || u.state !== 'uploading') return false;
    const t = total > 0 ? total : u.total;
    const l = Math.min(Math.max(loaded, u.loaded), t);
    if (l === u.loaded && t === u.total) return false;
    this.uploads.set(key, { ...u, loaded: l, total: t });
    return true;
  }

  done(key: string, attachment: Attachment): boolean {
    const u = this.uploads.get(key);
    if (!u || u.state !== 'uploading') return false;
    this.uploads.set(key, { ...u, state: 'done', loaded: u.total, attachment });
    return true;
  }

  /** The upload failed: it leaves the list, and the reason stays as an error line. */
  fail(key: string, message: string): boolean {
    const u = this.uploads.get(key);
    if (!u) return false;
    this.uploads.delete(key);
    this.errors.set(key, { key, roomId: u.roomId, name: u.file.name, message });
    return true;
  }

  /** Cancelled by the user (or a finished upload taken back): gone without a trace. */
  remove(key: string): boolean {
    return this.uploads.delete(key);
  }

  dismissError(key: string): boolean {
    return this.errors.delete(key);
  }

  /** Still sending bytes in this room: a message cannot go yet. */
  busy(roomId: number): number {
    return this.list(roomId).filter((u) => u.state === 'uploading').length;
  }

  ready(roomId: number): Attachment[] {
    return this.list(roomId)
      .map((u) => u.attachment)
      .filter((a): a is Attachment => a !== undefined);
  }

  /** The finished uploads go with a message: they leave the board, with the room's errors. */
  take(roomId: number): Attachment[] {
    const out: Attachment[] = [];
    for (const u of this.list(roomId)) {
      if (u.state === 'done' && u.attachment) {
        out.push(u.attachment);
        this.uploads.delete(u.key);
      }
    }
    for (const e of this.errorsOf(roomId)) this.errors.delete(e.key);
    return out;
  }
}

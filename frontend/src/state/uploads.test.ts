import { describe, expect, it } from 'vitest';
import type { Attachment } from '../types';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  MAX_ATTACHMENTS,
  UploadBoard,
  fileKind,
  formatBytes,
  isImage,
  thumbSize,
  uploadErrorText,
  validateFile,
} from './uploads';

const MiB = 1024 * 1024;
const file = (name = 'a.png', size = 1000, type = 'image/png') => ({ name, size, type });
const att = (id: number, over: Partial<Attachment> = {}): Attachment => ({
  id,
  name: `f${id}.png`,
  content_type: 'image/png',
  size: 900,
  width: 640,
  height: 480,
  url: `/api/v1/attachments/${id}?exp=1&sig=x`,
  thumbnail_url: `/api/v1/attachments/${id}/thumbnail?exp=1&sig=x`,
  ...over,
});

describe('formatBytes', () => {
  it('bytes, then binary units with one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * 1024)).toBe('200 KB');
    expect(formatBytes(DEFAULT_MAX_UPLOAD_BYTES)).toBe('25 MB');
    expect(formatBytes(3.25 * 1024 * MiB)).toBe('3.3 GB');
  });
  it('nothing for nonsense', () => {
    expect(formatBytes(-1)).toBe('');
    expect(formatBytes(Number.NaN)).toBe('');
  });
});

describe('validateFile', () => {
  it('refuses empty files and files over the limit, before a byte is sent', () => {
    expect(validateFile(file('a', 0), 10)).toBe('The file is empty.');
    expect(validateFile(file('a', 25 * MiB + 1), DEFAULT_MAX_UPLOAD_BYTES)).toBe('Too large (25 MB): files are limited to 25 MB.');
    expect(validateFile(file('a', 30 * MiB), DEFAULT_MAX_UPLOAD_BYTES)).toMatch(/^Too large \(30 MB\)/);
  });
  it('accepts up to the limit itself', () => {
    expect(validateFile(file('a', DEFAULT_MAX_UPLOAD_BYTES), DEFAULT_MAX_UPLOAD_BYTES)).toBeNull();
  });
});

describe('uploadErrorText', () => {
  it('says what each refusal means', () => {
    expect(uploadErrorText({ status: 413, code: 'payload_too_large', details: { max_bytes: MiB } }, DEFAULT_MAX_UPLOAD_BYTES)).toBe('Too large: files are limited to 1 MB.');
    expect(uploadErrorText({ status: 413, code: 'payload_too_large' }, 2 * MiB)).toBe('Too large: files are limited to 2 MB.');
    expect(uploadErrorText({ status: 413, code: 'quota_exceeded', details: { quota_left_bytes: 2048 } }, 1)).toMatch(/quota is used up: 2 KB left/);
    expect(uploadErrorText({ status: 413, code: 'quota_exceeded', details: { quota_left_bytes: 0 } }, 1)).toMatch(/^Your storage quota is used up\./);
    expect(uploadErrorText({ status: 429, code: 'rate_limited', retryAfter: 12 }, 1)).toBe('Too many uploads. Try again in 12 s.');
    expect(uploadErrorText({ status: 429, code: 'rate_limited' }, 1)).toBe('Too many uploads. Try again in a minute.');
    expect(uploadErrorText({ status: 403, code: 'forbidden' }, 1)).toBe('You are not a member of this room any more.');
    expect(uploadErrorText({ status: 0, code: 'network' }, 1)).toMatch(/cannot reach the server/);
    expect(uploadErrorText({ status: 422, code: 'validation_error', details: { file: ['the file is empty'] } }, 1)).toBe('Refused: the file is empty.');
    expect(uploadErrorText({ status: 500, code: 'internal', message: 'Boom' }, 1)).toBe('Boom');
  });
});

describe('thumbnails and kinds', () => {
  it('scales into 320×320, never up', () => {
    expect(thumbSize(640, 480)).toEqual({ width: 320, height: 240 });
    expect(thumbSize(480, 960)).toEqual({ width: 160, height: 320 });
    expect(thumbSize(100, 50)).toEqual({ width: 100, height: 50 });
    expect(thumbSize(null, 50)).toBeNull();
    expect(thumbSize(0, 0)).toBeNull();
  });
  it('an image is an attachment with a thumbnail', () => {
    expect(isImage(att(1))).toBe(true);
    expect(isImage(att(2, { content_type: 'application/octet-stream', thumbnail_url: null }))).toBe(false);
    expect(isImage(att(3, { content_type: 'image/svg+xml', thumbnail_url: null }))).toBe(false);
  });
  it('icons by type, else by extension', () => {
    expect(fileKind('application/pdf', 'x')).toBe('pdf');
    expect(fileKind('application/octet-stream', 'report.PDF')).toBe('pdf');
    expect(fileKind('application/octet-stream', 'src.tar.gz')).toBe('archive');
    expect(fileKind('audio/mpeg', 'a')).toBe('audio');
    expect(fileKind('application/octet-stream', 'notes.txt')).toBe('text');
    expect(fileKind('application/octet-stream', 'blob')).toBe('file');
  });
});

describe('UploadBoard', () => {
  it('uploading → progress → done → taken with the message', () => {
    const b = new UploadBoard();
    const k = b.add(1, file('a.png', 1000), 5000)!;
    expect(k).not.toBeNull();
    expect(b.list(1)).toHaveLength(1);
    expect(b.busy(1)).toBe(1);
    expect(b.ready(1)).toEqual([]);
    expect(b.progress(k, 500, 1200)).toBe(true);
    expect(b.get(k)).toMatchObject({ loaded: 500, total: 1200, state: 'uploading' });
    expect(b.progress(k, 400, 1200)).toBe(false); // never backwards
    expect(b.done(k, att(7))).toBe(true);
    expect(b.get(k)).toMatchObject({ state: 'done', loaded: 1200 });
    expect(b.busy(1)).toBe(0);
    expect(b.ready(1).map((a) => a.id)).toEqual([7]);
    expect(b.progress(k, 1200, 1200)).toBe(false); // late progress after done: ignored
    expect(b.take(1).map((a) => a.id)).toEqual([7]);
    expect(b.list(1)).toEqual([]);
  });

  it('a refused file is never uploading: it becomes an error line', () => {
    const b = new UploadBoard();
    expect(b.add(1, file('big.bin', 11), 10)).toBeNull();
    expect(b.add(1, file('empty.txt', 0), 10)).toBeNull();
    expect(b.list(1)).toEqual([]);
    expect(b.errorsOf(1).map((e) => e.name)).toEqual(['big.bin', 'empty.txt']);
    expect(b.errorsOf(1)[0]!.message).toMatch(/Too large/);
  });

  it('a failure leaves the pending list and stays as an error until dismissed or sent', () => {
    const b = new UploadBoard();
    const k = b.add(1, file(), 5000)!;
    const k2 = b.add(1, file('b.png'), 5000)!;
    expect(b.fail(k, 'Too many uploads.')).toBe(true);
    expect(b.list(1).map((u) => u.key)).toEqual([k2]);
    expect(b.errorsOf(1)).toEqual([{ key: k, roomId: 1, name: 'a.png', message: 'Too many uploads.' }]);
    expect(b.done(k, att(1))).toBe(false); // a late answer for a failed upload changes nothing
    expect(b.dismissError(k)).toBe(true);
    expect(b.errorsOf(1)).toEqual([]);
    b.fail(k2, 'x');
    expect(b.take(1)).toEqual([]);
    expect(b.errorsOf(1)).toEqual([]); // sending clears the room's errors
  });

  it('a cancel removes the upload without a trace, and a late result is ignored', () => {
    const b = new UploadBoard();
    const k = b.add(1, file(), 5000)!;
    expect(b.remove(k)).toBe(true);
    expect(b.list(1)).toEqual([]);
    expect(b.errorsOf(1)).toEqual([]);
    expect(b.done(k, att(1))).toBe(false);
    expect(b.fail(k, 'aborted')).toBe(false);
    expect(b.errorsOf(1)).toEqual([]);
  });

  it('only finished uploads go with a message; those still uploading stay', () => {
    const b = new UploadBoard();
    const k1 = b.add(1, file('1.png'), 5000)!;
    const k2 = b.add(1, file('2.png'), 5000)!;
    b.done(k1, att(1));
    expect(b.take(1).map((a) => a.id)).toEqual([1]);
    expect(b.list(1).map((u) => u.key)).toEqual([k2]);
  });

  it('rooms are separate', () => {
    const b = new UploadBoard();
    const k1 = b.add(1, file(), 5000)!;
    b.add(2, file(), 5000);
    b.done(k1, att(1));
    expect(b.ready(2)).toEqual([]);
    expect(b.take(2)).toEqual([]);
    expect(b.ready(1)).toHaveLength(1);
  });

  it(`at most ${MAX_ATTACHMENTS} files per message`, () => {
    const b = new UploadBoard();
    for (let i = 0; i < MAX_ATTACHMENTS; i++) expect(b.add(1, file(`${i}.png`), 5000)).not.toBeNull();
    expect(b.add(1, file('extra.png'), 5000)).toBeNull();
    expect(b.errorsOf(1)[0]!.message).toBe(`At most ${MAX_ATTACHMENTS} files go with one message.`);
    expect(b.add(2, file('other room.png'), 5000)).not.toBeNull();
  });
});

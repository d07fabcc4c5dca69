/**
 * The composer's files (PROTOCOL §6 "Files and images"): the attach button (a file input,
 * several files), a drop zone over the conversation while files are dragged onto it, images
 * pasted into the message box. Every file uploads at once; pending files show as chips above the
 * input with a progress bar and Cancel, then a thumbnail or an icon and Remove; a refused or
 * failed file leaves the list and says why on its own line.
 */
import './attachments.css';
import type { Attachment } from '../types';
import type { PendingUpload, UploadError } from '../state/uploads';
import { fileKind, formatBytes } from '../state/uploads';
import { uploaderFor, type Uploader } from '../uploader';
import { fileIcon, svgIcon } from './attachments';
import type { ViewContext } from './context';
import { h, icon, replaceChildren, srOnly } from './dom';

/** What the composer needs from its files (a small hook, so the composer stays about text). */
export interface ComposerFiles {
  /** The attach button (with its hidden file input). */
  readonly button: HTMLElement;
  /** The pending files and their errors, above the input. */
  readonly tray: HTMLElement;
  /** Finished uploads waiting to be sent. */
  ready(): number;
  /** Uploads still sending bytes. */
  busy(): number;
  /** The finished uploads go with the message now. */
  take(): Attachment[];
  /** Called whenever the pending files change. */
  onChange(fn: () => void): void;
}

export class UploadTray implements ComposerFiles {
  readonly button: HTMLElement;
  readonly tray: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly chips: HTMLUListElement;
  private readonly errors: HTMLUListElement;
  private readonly uploader: Uploader;
  private readonly changed = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private mounted = false;

  constructor(
    ctx: ViewContext,
    private readonly roomId: number,
  ) {
    this.uploader = uploaderFor(ctx.chat);
    // Hidden: the button is what people (and keyboards) use; it opens the input's file picker.
    this.input = h('input', { attrs: { type: 'file', multiple: true, hidden: true, 'data-testid': 'attach-input' } });
    const attach = h(
      'button',
      { class: 'icon-btn composer__attach', attrs: { type: 'button', 'data-testid': 'attach-button', title: 'Attach files' } },
      paperclip('icon'),
      srOnly('Attach files'),
    );
    this.button = h('span', { class: 'composer__attach-wrap' }, attach, this.input);
    this.chips = h('ul', { class: 'uploads', attrs: { 'data-testid': 'pending-uploads', 'aria-label': 'Files to send' } });
    this.errors = h('ul', { class: 'upload-errors', attrs: { 'data-testid': 'upload-errors', 'aria-live': 'assertive', 'aria-label': 'Files not attached' } });
    this.tray = h('div', { class: 'uploads-tray' }, this.chips, this.errors);

    attach.addEventListener('click', () => this.input.click());
    this.input.addEventListener('change', () => {
      const files = [...(this.input.files ?? [])];
      this.input.value = ''; // the same file may be picked again
      this.addFiles(files);
      attach.focus();
    });
    this.unsubscribe = this.uploader.subscribe((roomId) => {
      if (roomId !== this.roomId) return;
      // This view was replaced (another room opened): stop listening; the uploads go on.
      if (this.mounted && !this.tray.isConnected) {
        this.unsubscribe?.();
        this.unsubscribe = null;
        return;
      }
      this.render();
    });
    this.render();
  }

  ready(): number {
    return this.uploader.board.ready(this.roomId).length;
  }

  busy(): number {
    return this.uploader.board.busy(this.roomId);
  }

  take(): Attachment[] {
    return this.uploader.take(this.roomId);
  }

  onChange(fn: () => void): void {
    this.changed.add(fn);
  }

  addFiles(files: File[]): void {
    if (files.length > 0) this.uploader.add(this.roomId, files);
  }

  /** Images (or files) pasted into the message box are attached; text pastes as usual. */
  bindPaste(input: HTMLElement): void {
    input.addEventListener('paste', (ev) => {
      const files = [...(ev.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      ev.preventDefault();
      this.addFiles(files.map((f, i) => (f.name && f.name !== 'image.png' ? f : renamePasted(f, i))));
    });
  }

  /** Files dragged over `area` show a drop zone; dropped, they are attached. */
  bindDropZone(area: HTMLElement): void {
    const zone = h(
      'div',
      { class: 'dropzone', attrs: { 'data-testid': 'drop-zone', hidden: true, 'aria-hidden': 'true' } },
      h('div', { class: 'dropzone__box' }, paperclip('icon dropzone__icon'), h('span', { text: 'Drop files to attach them' })),
    );
    area.classList.add('drop-area');
    area.append(zone);
    let depth = 0;
    const hasFiles = (ev: DragEvent): boolean => [...(ev.dataTransfer?.types ?? [])].includes('Files');
    area.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth += 1;
      zone.hidden = false;
    });
    area.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy';
      zone.hidden = false;
    });
    area.addEventListener('dragleave', (ev) => {
      if (!hasFiles(ev)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.hidden = true;
    });
    area.addEventListener('drop', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth = 0;
      zone.hidden = true;
      this.addFiles([...(ev.dataTransfer?.files ?? [])]);
    });
  }

  private render(): void {
    if (this.tray.isConnected) this.mounted = true;
    const board = this.uploader.board;
    const uploads = board.list(this.roomId);
    const errors = board.errorsOf(this.roomId);
    // Keep the chip that has focus (its Cancel/Remove button) when only progress changed.
    const focusedKey = (document.activeElement as HTMLElement | null)?.closest?.('[data-upload-key]')?.getAttribute('data-upload-key') ?? null;
    replaceChildren(this.chips, ...uploads.map((u) => this.chip(u)));
    replaceChildren(this.errors, ...errors.map((e) => this.errorLine(e)));
    this.chips.hidden = uploads.length === 0;
    this.errors.hidden = errors.length === 0;
    this.tray.hidden = uploads.length === 0 && errors.length === 0;
    if (focusedKey) this.chips.querySelector<HTMLElement>(`[data-upload-key="${CSS.escape(focusedKey)}"] button`)?.focus();
    for (const fn of this.changed) fn();
  }

  private chip(u: PendingUpload): HTMLElement {
    const a = u.attachment;
    const kind = fileKind(a?.content_type ?? u.file.type, u.file.name);
    const preview =
      a?.thumbnail_url
        ? h('img', { class: 'upload__thumb', attrs: { src: a.thumbnail_url, alt: '', width: 40, height: 40 } })
        : fileIcon(kind);
    const name = h('span', { class: 'upload__name', attrs: { title: u.file.name }, text: u.file.name });
    const main = h('span', { class: 'upload__main' }, name);
    let action: HTMLButtonElement;
    if (u.state === 'uploading') {
      const pct = u.total > 0 ? Math.floor((u.loaded / u.total) * 100) : 0;
      const bar = h('progress', { class: 'upload__progress', attrs: { 'data-testid': 'upload-progress', max: 100, 'aria-label': `Uploading ${u.file.name}` } });
      bar.value = pct;
      main.append(bar, h('span', { class: 'upload__size', text: `${pct}% of ${formatBytes(u.file.size)}` }));
      action = h('button', { class: 'icon-btn upload__action', attrs: { type: 'button', 'data-testid': 'upload-cancel' } }, icon('close'), srOnly(`Cancel upload of ${u.file.name}`));
    } else {
      main.append(h('span', { class: 'upload__size', text: formatBytes(a?.size ?? u.file.size) }));
      action = h('button', { class: 'icon-btn upload__action', attrs: { type: 'button', 'data-testid': 'upload-remove' } }, icon('close'), srOnly(`Remove ${u.file.name}`));
    }
    action.addEventListener('click', () => this.uploader.cancel(u.key));
    return h(
      'li',
      { class: `upload upload--${u.state}`, attrs: { 'data-testid': 'pending-upload', 'data-state': u.state, 'data-upload-key': u.key, 'data-name': u.file.name } },
      preview,
      main,
      action,
    );
  }

  private errorLine(e: UploadError): HTMLElement {
    const dismiss = h('button', { class: 'link-btn upload-error__dismiss', attrs: { type: 'button', 'data-testid': 'upload-error-dismiss' } }, 'Dismiss', srOnly(` the error about ${e.name}`));
    dismiss.addEventListener('click', () => this.uploader.dismiss(this.roomId, e.key));
    return h(
      'li',
      { class: 'upload-error', attrs: { 'data-testid': 'upload-error', 'data-name': e.name } },
      h('span', { class: 'upload-error__text' }, h('strong', { text: e.name }), `: ${e.message}`),
      dismiss,
    );
  }
}

/** Pasted screenshots are all called "image.png": give each a name worth keeping. */
function renamePasted(f: File, i: number): File {
  const ext = f.type === 'image/jpeg' ? 'jpg' : f.type.startsWith('image/') ? f.type.slice(6).replace(/[^a-z0-9]/g, '') || 'png' : 'bin';
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
  return new File([f], `Pasted image ${stamp}${i > 0 ? ` (${i + 1})` : ''}.${ext}`, { type: f.type });
}

function paperclip(cls: string): SVGSVGElement {
  return svgIcon(['M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8'], cls);
}

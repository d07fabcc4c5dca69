/**
 * The image viewer: a modal native <dialog> (focus stays inside, the page behind is inert),
 * Escape closes it, Left/Right go through the images of the message, with a download link and
 * the full image (`url`). Focus goes back to the thumbnail that opened it.
 */
import type { Attachment } from '../types';
import { formatBytes } from '../state/uploads';
import { h, icon, srOnly, uid } from './dom';

export function openLightbox(images: readonly Attachment[], start: number, opener: HTMLElement | null): HTMLDialogElement {
  let index = Math.min(Math.max(0, start), images.length - 1);
  const titleId = uid('lb');
  const title = h('h2', { class: 'lightbox__title', attrs: { id: titleId, 'data-testid': 'lightbox-title' } });
  const counter = h('span', { class: 'lightbox__count', attrs: { 'data-testid': 'lightbox-count' } });
  const img = h('img', { class: 'lightbox__img', attrs: { 'data-testid': 'lightbox-image', alt: '' } });
  const download = h('a', { class: 'btn btn--secondary btn--sm', attrs: { 'data-testid': 'lightbox-download' }, text: 'Download' });
  const close = h('button', { class: 'icon-btn lightbox__close', attrs: { type: 'button', 'data-testid': 'lightbox-close' } }, icon('close'), srOnly('Close'));
  const prev = h('button', { class: 'btn btn--ghost btn--sm lightbox__nav', attrs: { type: 'button', 'data-testid': 'lightbox-prev' } }, '← ', srOnly('Previous image'), h('span', { attrs: { 'aria-hidden': 'true' }, text: 'Previous' }));
  const next = h('button', { class: 'btn btn--ghost btn--sm lightbox__nav', attrs: { type: 'button', 'data-testid': 'lightbox-next' } }, h('span', { attrs: { 'aria-hidden': 'true' }, text: 'Next' }), srOnly('Next image'), ' →');
  const dialog = h(
    'dialog',
    { class: 'lightbox', attrs: { 'aria-labelledby': titleId, 'data-testid': 'lightbox' } },
    h('header', { class: 'lightbox__header' }, h('div', { class: 'lightbox__heading' }, title, counter), download, close),
    h('figure', { class: 'lightbox__figure' }, img),
    h('footer', { class: 'lightbox__footer', attrs: { hidden: images.length < 2 } }, prev, h('span', { class: 'lightbox__hint', text: 'Use ← and → to move between images' }), next),
  );

  const show = (i: number): void => {
    index = (i + images.length) % images.length;
    const a = images[index]!;
    title.textContent = a.name;
    counter.textContent = images.length > 1 ? `${index + 1} of ${images.length} · ${formatBytes(a.size)}` : formatBytes(a.size);
    img.alt = a.name;
    img.src = a.url;
    if (a.width && a.height) {
      img.width = a.width;
      img.height = a.height;
    } else {
      img.removeAttribute('width');
      img.removeAttribute('height');
    }
    download.href = a.url;
    download.setAttribute('download', a.name);
    download.setAttribute('aria-label', `Download ${a.name}`);
  };

  close.addEventListener('click', () => dialog.close());
  prev.addEventListener('click', () => show(index - 1));
  next.addEventListener('click', () => show(index + 1));
  dialog.addEventListener('keydown', (ev) => {
    if (images.length < 2 || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
      ev.preventDefault();
      show(index + (ev.key === 'ArrowLeft' ? -1 : 1));
    }
  });
  // A click on the backdrop (outside the box) closes it.
  dialog.addEventListener('click', (ev) => {
    if (ev.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  show(index);
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  return dialog;
}

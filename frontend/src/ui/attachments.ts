/**
 * A message's files (PROTOCOL §6 "Files and images"): images as thumbnails that keep their place
 * while loading (width/height attributes from the Attachment, no layout jump) and open in the
 * lightbox; other files as cards with an icon by type, the name, the size and a download link.
 * Thumbnails are links to the full image (a middle click opens it), enhanced to the lightbox.
 */
import './attachments.css';
import { fileKind, formatBytes, isImage, thumbSize, type FileKind } from '../state/uploads';
import type { Attachment } from '../types';
import { h } from './dom';
import { openLightbox } from './lightbox';

export function attachmentsEl(list: readonly Attachment[] | undefined): HTMLElement | null {
  if (!list || list.length === 0) return null;
  const images = list.filter(isImage);
  const files = list.filter((a) => !isImage(a));
  const root = h('div', { class: 'att', attrs: { 'data-testid': 'attachments' } });
  if (images.length > 0) {
    const grid = h('ul', { class: `att__images${images.length === 1 ? ' att__images--one' : ''}`, attrs: { 'aria-label': images.length === 1 ? 'Image' : `${images.length} images` } });
    images.forEach((a, i) => {
      const size = thumbSize(a.width, a.height);
      const img = h('img', {
        class: 'att__img',
        attrs: {
          src: a.thumbnail_url ?? a.url,
          alt: a.name,
          width: size?.width ?? null,
          height: size?.height ?? null,
          loading: 'lazy',
          decoding: 'async',
        },
      });
      const link = h('a', { class: 'att__thumb', attrs: { href: a.url, 'data-testid': 'attachment-image', 'data-attachment-id': a.id, title: a.name } }, img);
      link.addEventListener('click', (ev) => {
        if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
        ev.preventDefault();
        openLightbox(images, i, link);
      });
      grid.append(h('li', { class: 'att__image' }, link));
    });
    root.append(grid);
  }
  if (files.length > 0) {
    root.append(h('ul', { class: 'att__files', attrs: { 'aria-label': files.length === 1 ? 'File' : `${files.length} files` } }, ...files.map((a) => h('li', {}, fileCard(a)))));
  }
  return root;
}

/** A download card: the whole card is the link (with `download`, so it never navigates). */
export function fileCard(a: Attachment): HTMLElement {
  const kind = fileKind(a.content_type, a.name);
  return h(
    'a',
    { class: 'att__file', attrs: { href: a.url, download: a.name, 'data-testid': 'attachment-file', 'data-attachment-id': a.id } },
    fileIcon(kind),
    h('span', { class: 'att__file-text' }, h('span', { class: 'att__file-name', text: a.name }), h('span', { class: 'att__file-size', text: `${kindLabel(kind)} · ${formatBytes(a.size)}` })),
    h('span', { class: 'sr-only', text: ', download' }),
  );
}

function kindLabel(kind: FileKind): string {
  return { image: 'Image', pdf: 'PDF', archive: 'Archive', audio: 'Audio', video: 'Video', text: 'Text', file: 'File' }[kind];
}

const FILE_OUTLINE = 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z';
const FILE_ICON_PATHS: Record<FileKind, string[]> = {
  file: [FILE_OUTLINE, 'M14 3v5h5'],
  text: [FILE_OUTLINE, 'M14 3v5h5', 'M9 13h6', 'M9 17h6'],
  pdf: [FILE_OUTLINE, 'M14 3v5h5', 'M9 15h1.5a1.5 1.5 0 0 0 0-3H9v5'],
  archive: [FILE_OUTLINE, 'M14 3v5h5', 'M11 5h1', 'M11 8h1', 'M11 11h1', 'M10.5 14h2v3h-2z'],
  audio: [FILE_OUTLINE, 'M14 3v5h5', 'M11 17a1.5 1.5 0 1 1-1.5-1.5H11v-5l3 1'],
  video: [FILE_OUTLINE, 'M14 3v5h5', 'M10 12v5l4-2.5z'],
  image: [FILE_OUTLINE, 'M14 3v5h5', 'M8 18l3-4 2 2.5 1.5-1.5L17 18z'],
};

/** The card's icon: a page with a mark by type (SVG built with DOM calls, no styles). */
export function fileIcon(kind: FileKind): SVGSVGElement {
  return svgIcon(FILE_ICON_PATHS[kind], `att__icon att__icon--${kind}`);
}

/** A stroke icon from path data, decorative (as `icon()` in dom.ts). */
export function svgIcon(paths: readonly string[], cls: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    svg.appendChild(p);
  }
  return svg;
}

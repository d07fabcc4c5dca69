/**
 * Message bodies are the only HTML this app renders. The server stores them already cleaned
 * (contract §2); as defence in depth the client rebuilds them from an allow-list instead of
 * assigning `innerHTML`: the body is parsed in an inert document (no scripts run, no images
 * load) and only the allowed inline elements are recreated, with only a checked `href`.
 * Anything else is kept as its text.
 */
// The server renders Markdown into this subset (README, Conversations); anything else keeps its text.
const ALLOWED = new Set(['B', 'I', 'EM', 'STRONG', 'CODE', 'PRE', 'A', 'BR', 'DEL', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'MARK']);

function safeHref(href: string | null): string | null {
  if (href === null) return null;
  try {
    const url = new URL(href, 'http://invalid.invalid');
    if ((url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(href.trim())) {
      return url.href;
    }
  } catch {
    // not a URL
  }
  return null;
}

function parse(html: string): Document {
  return new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
}

function copy(node: Node, into: Node): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.appendChild(document.createTextNode(child.textContent ?? ''));
    } else if (child instanceof Element) {
      if (!ALLOWED.has(child.tagName)) {
        copy(child, into); // drop the element, keep its text
        continue;
      }
      const el = document.createElement(child.tagName.toLowerCase());
      if (child.tagName === 'A') {
        const href = safeHref(child.getAttribute('href'));
        if (href !== null) {
          el.setAttribute('href', href);
          el.setAttribute('rel', 'noopener noreferrer nofollow');
          el.setAttribute('target', '_blank');
        }
      }
      copy(child, el);
      into.appendChild(el);
    }
  }
}

/** The body as DOM nodes, ready to append. */
export function renderBody(html: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  copy(parse(html).body, fragment);
  return fragment;
}

/** Plain text of a body, for announcements and previews. */
export function bodyText(html: string): string {
  return parse(html).body.textContent ?? '';
}

/**
 * A body turned back into what the author would type, for editing: text with entities decoded,
 * allowed inline tags kept as tags.
 */
export function bodyToSource(html: string): string {
  const out: string[] = [];
  const walk = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) out.push(child.textContent ?? '');
      else if (child instanceof Element) {
        const tag = child.tagName.toLowerCase();
        if (!ALLOWED.has(child.tagName)) walk(child);
        else if (tag === 'br') out.push('\n');
        else {
          const href = tag === 'a' ? safeHref(child.getAttribute('href')) : null;
          out.push(href !== null ? `<a href="${href.replace(/"/g, '&quot;')}">` : `<${tag}>`);
          walk(child);
          out.push(`</${tag}>`);
        }
      }
    }
  };
  walk(parse(html).body);
  return out.join('');
}

/**
 * Keyed reconciliation of a list element: unchanged items keep their element (and so the scroll
 * position, focus and any half-typed edit), changed ones are replaced in place, order is kept.
 */

/** An item the list should show: `ref` and `sig` decide whether its element is still right. */
export interface WantedItem {
  key: string;
  ref: unknown;
  sig: string;
  make: () => HTMLElement;
}

export interface Rendered {
  ref: unknown;
  sig: string;
  el: HTMLElement;
}

/** Make `list` show `wanted` in order, reusing the elements in `rendered` (updated in place). */
export function reconcile(list: HTMLElement, rendered: Map<string, Rendered>, wanted: readonly WantedItem[]): void {
  const seen = new Set<string>();
  let cursor: ChildNode | null = list.firstChild;
  for (const w of wanted) {
    seen.add(w.key);
    let r = rendered.get(w.key);
    if (!r || r.ref !== w.ref || r.sig !== w.sig) {
      const el = w.make();
      el.dataset.key = w.key;
      if (r) {
        if (cursor === r.el) cursor = el;
        replaceKeepingFocus(r.el, el);
      }
      r = { ref: w.ref, sig: w.sig, el };
      rendered.set(w.key, r);
    }
    if (r.el !== cursor) list.insertBefore(r.el, cursor);
    else cursor = cursor.nextSibling;
    if (r.el === cursor) cursor = cursor.nextSibling;
  }
  for (const [key, r] of rendered) {
    if (!seen.has(key)) {
      r.el.remove();
      rendered.delete(key);
    }
  }
}

/** Replace an item's element; focus and a draft in its edit box carry over to the new one. */
function replaceKeepingFocus(old: HTMLElement, el: HTMLElement): void {
  const focused = document.activeElement;
  const hadFocus = old === focused;
  // Focus inside the message (a reaction chip, an action) moves to the same control in the new element.
  const inner = !hadFocus && focused instanceof HTMLElement && old.contains(focused) ? sameControl(focused) : null;
  const draft = old.querySelector<HTMLTextAreaElement>('.msg__edit-input')?.value;
  old.replaceWith(el);
  const editInput = el.querySelector<HTMLTextAreaElement>('.msg__edit-input');
  if (draft !== undefined && editInput) editInput.value = draft; // a reaction must not undo typing
  if (hadFocus && el.tabIndex === -1) el.focus({ preventScroll: true });
  else if (inner) (el.querySelector<HTMLElement>(inner) ?? el).focus({ preventScroll: true });
}

/** A selector for the same control in a re-rendered message (by test id, and emoji for a chip). */
function sameControl(el: HTMLElement): string | null {
  const testid = el.dataset.testid;
  if (!testid) return null;
  const emoji = el.dataset.emoji;
  return `[data-testid="${CSS.escape(testid)}"]${emoji ? `[data-emoji="${CSS.escape(emoji)}"]` : ''}`;
}

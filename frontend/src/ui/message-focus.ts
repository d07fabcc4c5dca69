/**
 * Keyboard access to the message list: a roving tabindex (one message in the tab order, arrow
 * keys, Home and End move between them), Enter into a message's controls, Escape back out.
 */

/** What inside a message joins the tab order while the message has focus (roving tabindex). */
const INNER_FOCUSABLE = '.msg__bubble a, .msg__actions button, .msg__status button, button.msg__quote, .msg__footer button';

export interface RovingHooks {
  /** The message element rendered under a key, if any. */
  elementFor(key: string): HTMLElement | undefined;
  /** Escape on a message: back to the composer. */
  focusComposer(): void;
  /** ArrowUp on the oldest loaded message. */
  loadOlder(): void;
}

export class RovingFocus {
  /** The one message in the tab order: the last one focused, else the newest. */
  private activeKey: string | null = null;
  private roving: HTMLElement | null = null;

  constructor(
    private readonly list: HTMLElement,
    private readonly hooks: RovingHooks,
  ) {
    list.addEventListener('keydown', (ev) => this.onKey(ev));
    list.addEventListener('focusin', (ev) => this.onFocusIn(ev));
    list.addEventListener('focusout', (ev) => this.onFocusOut(ev));
  }

  /** After a render: exactly one message has tabindex 0. */
  update(): void {
    const els = this.messageEls();
    const active = (this.activeKey !== null ? this.hooks.elementFor(this.activeKey) : undefined) ?? els[els.length - 1] ?? null;
    if (this.roving && this.roving !== active) this.roving.tabIndex = -1;
    if (active) active.tabIndex = 0;
    this.roving = active;
  }

  private messageEls(): HTMLElement[] {
    return [...this.list.querySelectorAll<HTMLElement>(':scope > [data-testid="message"]')];
  }

  private onFocusIn(ev: FocusEvent): void {
    const li = (ev.target as Element).closest<HTMLElement>('[data-testid="message"]');
    if (!li || !this.list.contains(li)) return;
    this.activeKey = li.dataset.key ?? null;
    this.update();
    // The focused message's actions (and links) join the tab order after it.
    for (const el of li.querySelectorAll<HTMLElement>(INNER_FOCUSABLE)) el.tabIndex = 0;
  }

  private onFocusOut(ev: FocusEvent): void {
    const li = (ev.target as Element).closest<HTMLElement>('[data-testid="message"]');
    if (!li || (ev.relatedTarget instanceof Node && li.contains(ev.relatedTarget))) return;
    for (const el of li.querySelectorAll<HTMLElement>(INNER_FOCUSABLE)) el.tabIndex = -1;
  }

  private onKey(ev: KeyboardEvent): void {
    const target = ev.target as HTMLElement;
    const li = target.closest<HTMLElement>('[data-testid="message"]');
    if (!li) return;
    if (target !== li) {
      // Inside a message (an action, a link): Escape goes back to the message itself.
      if (ev.key === 'Escape' && !target.closest('form')) {
        ev.preventDefault();
        li.focus();
      }
      return;
    }
    const els = this.messageEls();
    const i = els.indexOf(li);
    let next: HTMLElement | undefined;
    if (ev.key === 'ArrowUp') next = els[i - 1];
    else if (ev.key === 'ArrowDown') next = els[i + 1];
    else if (ev.key === 'Home') next = els[0];
    else if (ev.key === 'End') next = els[els.length - 1];
    else if (ev.key === 'Enter') {
      li.querySelector<HTMLElement>('.msg__actions button, .msg__status button, .msg__bubble a')?.focus();
      ev.preventDefault();
      return;
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      this.hooks.focusComposer();
      return;
    } else return;
    ev.preventDefault();
    if (ev.key === 'ArrowUp' && i === 0) this.hooks.loadOlder();
    if (next) {
      next.focus();
      next.scrollIntoView({ block: 'nearest' });
    }
  }
}

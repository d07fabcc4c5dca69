/** The keyboard shortcuts of the signed-in screen (README "Keyboard"). */
import type { ViewContext } from './context';
import { searchDialog } from './search';
import { roomSwitcher } from './switcher';

/** A keydown anywhere: Ctrl/Cmd+K switches rooms, Ctrl/Cmd+Shift+F or "/" opens search. */
export function onShortcut(ctx: ViewContext, ev: KeyboardEvent): void {
  const dialogOpen = document.querySelector('dialog[open]') !== null;
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && ev.key.toLowerCase() === 'k') {
    ev.preventDefault();
    if (!dialogOpen) roomSwitcher(ctx);
  } else if ((ev.ctrlKey || ev.metaKey) && ev.shiftKey && !ev.altKey && ev.key.toLowerCase() === 'f') {
    // Search (README "Keyboard"): Ctrl/Cmd+Shift+F anywhere, "/" outside a text field.
    ev.preventDefault();
    if (!dialogOpen) searchDialog(ctx);
  } else if (ev.key === '/' && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !dialogOpen && !isTextField(ev.target)) {
    ev.preventDefault();
    searchDialog(ctx);
  }
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

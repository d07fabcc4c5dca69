/** What the open conversation shows when the user is no longer in its room (PROTOCOL §6 `room:removed`). */
import type { Change } from '../chat/controller';
import { h } from './dom';

export interface RemovalText {
  title: string;
  detail: string;
}

export function removalText(c: { reason: string; banned?: boolean; name: string }): RemovalText {
  const name = c.name || 'this room';
  if (c.reason === 'deleted') return { title: `${name} was deleted`, detail: 'Its owner deleted the room and its messages.' };
  if (c.reason === 'kicked' && c.banned) {
    return { title: `You were banned from ${name}`, detail: 'A moderator removed you; you cannot join or be added again unless they lift the ban.' };
  }
  if (c.reason === 'kicked') return { title: `You were removed from ${name}`, detail: 'A moderator removed you from the room. You can no longer read or send messages there.' };
  return { title: `You are no longer in ${name}`, detail: 'You left it on another device, or were removed.' };
}

/** The notice in place of the conversation, and its heading (which takes focus). */
export function removedNotice(c: Extract<Change, { type: 'removed' }>, text: RemovalText, back: () => void): { notice: HTMLElement; heading: HTMLElement } {
  const heading = h('h1', { class: 'conv-empty__title', attrs: { tabindex: '-1', 'data-testid': 'removed-title' }, text: text.title });
  const button = h('button', { class: 'btn btn--primary', attrs: { type: 'button', 'data-testid': 'removed-back' }, text: 'Back to rooms' });
  button.addEventListener('click', back);
  const notice = h(
    'div',
    { class: 'conv-empty', attrs: { 'data-testid': 'removed-notice', 'data-reason': c.banned ? 'banned' : c.reason } },
    heading,
    h('p', { attrs: { 'data-testid': 'removed-detail' }, text: text.detail }),
    h('div', { class: 'conv-empty__actions' }, button),
  );
  return { notice, heading };
}

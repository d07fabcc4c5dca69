/** The member list of a room, opened from its header: who is in, and who is online right now. */
import type { ViewContext } from './context';
import { openDialog, userLabel } from './dialog';
import { avatarEl } from './avatar';
import { h, replaceChildren } from './dom';
import { blockButton } from './room-settings';
import { presenceDot, presenceOf } from './sidebar';

const PRESENCE_TEXT = { online: 'online', offline: 'offline', unknown: 'presence unknown while offline' } as const;

export function membersDialog(ctx: ViewContext, roomId: number, title: string): void {
  const chat = ctx.chat;
  let unsubscribe = (): void => undefined;
  const dialog = openDialog(title, 'members-dialog', () => {
    const status = h('p', { class: 'picker__status', attrs: { role: 'status' } });
    const list = h('ul', { class: 'picker', attrs: { 'aria-label': 'Members', 'data-testid': 'member-list' } });
    const render = (): void => {
      const members = chat.members.get(roomId);
      if (!members) {
        status.textContent = 'Loading members…';
        return;
      }
      const rank = { online: 0, offline: 1, unknown: 1 } as const;
      const sorted = [...members].sort(
        (a, b) => rank[presenceOf(ctx, a.id)] - rank[presenceOf(ctx, b.id)] || (a.display_name || a.username).localeCompare(b.display_name || b.username),
      );
      const online = members.filter((m) => presenceOf(ctx, m.id) === 'online').length;
      status.textContent = chat.presenceKnown
        ? `${members.length} ${members.length === 1 ? 'member' : 'members'}, ${online} online`
        : `${members.length} ${members.length === 1 ? 'member' : 'members'}; presence is unknown while offline`;
      replaceChildren(
        list,
        ...sorted.map((m) => {
          const state = presenceOf(ctx, m.id);
          return h(
            'li',
            { class: 'picker__row', attrs: { 'data-testid': 'member', 'data-username': m.username, 'data-presence': state } },
            avatarEl(m, 'avatar--sm', presenceDot(ctx, m.id)),
            userLabel(m),
            h('span', { class: `member__presence member__presence--${state}`, text: m.id === chat.me.id ? 'you' : PRESENCE_TEXT[state] }),
            m.id === chat.me.id ? null : blockButton(ctx, m),
          );
        }),
      );
    };
    unsubscribe = chat.subscribe((c) => {
      if ((c.type === 'members' && c.roomId === roomId) || c.type === 'presence' || c.type === 'connection') render();
    });
    render();
    void chat.loadMembers(roomId);
    return [status, list];
  });
  dialog.addEventListener('close', () => unsubscribe());
}

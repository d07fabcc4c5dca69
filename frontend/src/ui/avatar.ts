/**
 * A user's avatar (PROTOCOL §6): their picture when they uploaded one (`avatar_url`), else their
 * initials on a colour from their username. Decorative (`aria-hidden`): the name is always
 * written next to it.
 */
import { avatarClass, h, initials } from './dom';

type Child = Node | string | null | undefined | false;

export interface AvatarUser {
  username: string;
  display_name?: string;
  avatar_url?: string | null;
}

export function avatarEl(user: AvatarUser, extraClass = '', ...extra: Child[]): HTMLSpanElement {
  const name = user.display_name || user.username;
  const cls = `avatar ${avatarClass(user.username)}${extraClass ? ` ${extraClass}` : ''}`;
  if (user.avatar_url) {
    return h(
      'span',
      { class: `${cls} avatar--img`, attrs: { 'aria-hidden': 'true', 'data-testid': 'avatar-img' } },
      h('img', { class: 'avatar__img', attrs: { src: user.avatar_url, alt: '', width: 64, height: 64, decoding: 'async', loading: 'lazy' } }),
      ...extra,
    );
  }
  return h('span', { class: cls, attrs: { 'aria-hidden': 'true' } }, initials(name), ...extra);
}

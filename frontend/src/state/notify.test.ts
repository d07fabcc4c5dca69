import { describe, expect, it } from 'vitest';
import { deliveryFor, notificationTitle } from './notify';
import { msg, user } from './fixtures';

describe('notification wording and delivery', () => {
  const m = msg(1, { sender: { ...user(2, 'carol'), display_name: 'Carol' } });
  it('says who and why', () => {
    expect(notificationTitle({ kind: 'mention', message: m }, '#standup')).toBe('Carol mentioned you in #standup');
    expect(notificationTitle({ kind: 'reply', message: m }, null)).toBe('Carol replied to you');
    expect(notificationTitle({ kind: 'dm', message: m }, 'x')).toBe('Carol');
    expect(notificationTitle({ kind: 'message', message: m }, '#a')).toBe('Carol in #a');
  });

  it('desktop only when hidden with permission; in-app when visible elsewhere', () => {
    expect(deliveryFor({ hidden: true, permission: 'granted', seeingRoom: false })).toBe('desktop');
    expect(deliveryFor({ hidden: true, permission: 'default', seeingRoom: false })).toBe('none');
    expect(deliveryFor({ hidden: false, permission: 'granted', seeingRoom: false })).toBe('in-app');
    expect(deliveryFor({ hidden: false, permission: 'granted', seeingRoom: true })).toBe('none');
  });
});

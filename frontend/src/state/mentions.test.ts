import { describe, expect, it } from 'vitest';
import { applyMention, concernsUser, matchMentions, mentionAt, mentionsUser } from './mentions';
import { msg, user } from './fixtures';

const people = [
  { id: 1, username: 'carol', display_name: 'Carol Keys' },
  { id: 2, username: 'dave', display_name: 'Dave Reader' },
  { id: 3, username: 'dana_k', display_name: 'Dana Kim' },
  { id: 4, username: 'bob', display_name: 'Robert Davis' },
];

describe('mentionAt', () => {
  it('finds the @word the caret is in', () => {
    expect(mentionAt('hi @da', 6)).toEqual({ start: 3, end: 6, query: 'da' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(mentionAt('(@car', 5)).toEqual({ start: 1, end: 5, query: 'car' });
  });

  it('ignores e-mail addresses, finished words and text without @', () => {
    expect(mentionAt('mail carol@example', 18)).toBeNull();
    expect(mentionAt('hi @dave there', 14)).toBeNull();
    expect(mentionAt('hello', 5)).toBeNull();
  });

  it('only looks before the caret', () => {
    expect(mentionAt('@dave and more', 3)).toEqual({ start: 0, end: 3, query: 'da' });
  });
});

describe('matchMentions', () => {
  it('ranks username prefixes, then display-name words, then substrings; leaves out the writer', () => {
    expect(matchMentions(people, 'da', { exclude: 1 }).map((p) => p.username)).toEqual(['dana_k', 'dave', 'bob']);
    expect(matchMentions(people, 'k', { exclude: 1 }).map((p) => p.username)).toEqual(['dana_k']);
    expect(matchMentions(people, 'ro', {}).map((p) => p.username)).toEqual(['bob', 'carol']); // a name word, then a substring
    expect(matchMentions(people, 'ar', {}).map((p) => p.username)).toEqual(['carol']);
  });

  it('an empty query lists everyone (alphabetically), up to the limit', () => {
    expect(matchMentions(people, '', { limit: 2 }).map((p) => p.username)).toEqual(['bob', 'carol']);
  });

  it('is case-insensitive', () => {
    expect(matchMentions(people, 'DAV').map((p) => p.username)).toEqual(['dave', 'bob']);
  });
});

describe('applyMention', () => {
  it('replaces the query with @username and a space, caret after it', () => {
    const r = applyMention('hi @da', { start: 3, end: 6, query: 'da' }, 'dave');
    expect(r).toEqual({ text: 'hi @dave ', caret: 9 });
  });

  it('does not double a following space', () => {
    const r = applyMention('@da rest', { start: 0, end: 3, query: 'da' }, 'dave');
    expect(r.text).toBe('@dave rest');
    expect(r.caret).toBe(6);
  });
});

describe('mentions of me', () => {
  it('counts mentions and replies to me from others, not my own or deleted messages', () => {
    expect(mentionsUser(msg(1, { mentions: [1, 3] }), 1)).toBe(true);
    expect(concernsUser(msg(1, { mentions: [1] }), 1)).toBe(true);
    expect(concernsUser(msg(1, { reply_to: { id: 5, seq: 5, sender: user(1), excerpt: 'x' } }), 1)).toBe(true);
    expect(concernsUser(msg(1, { mentions: [1], sender: user(1) }), 1)).toBe(false);
    expect(concernsUser(msg(1, { mentions: [1], deleted: true }), 1)).toBe(false);
    expect(concernsUser(msg(1), 1)).toBe(false);
  });
});

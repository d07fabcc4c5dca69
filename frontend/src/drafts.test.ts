import { describe, expect, it } from 'vitest';
import { Drafts } from './drafts';

class MemoryStorage implements Storage {
  private data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  clear(): void {
    this.data.clear();
  }
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  key(i: number): string | null {
    return [...this.data.keys()][i] ?? null;
  }
  removeItem(k: string): void {
    this.data.delete(k);
  }
  setItem(k: string, v: string): void {
    this.data.set(k, v);
  }
}

describe('Drafts', () => {
  it('keeps a draft per room across instances (a reload)', () => {
    const store = new MemoryStorage();
    new Drafts(7, store).set(3, 'half a thought');
    expect(new Drafts(7, store).get(3)).toBe('half a thought');
    expect(new Drafts(8, store).get(3)).toBe('');
  });

  it('forgets a draft that was cleared or sent', () => {
    const store = new MemoryStorage();
    const d = new Drafts(1, store);
    d.set(3, 'x');
    d.set(3, '  ');
    expect(new Drafts(1, store).get(3)).toBe('');
  });

  it('survives a corrupt entry', () => {
    const store = new MemoryStorage();
    store.setItem('chatty.drafts.1', '{not json');
    expect(new Drafts(1, store).get(3)).toBe('');
  });
});

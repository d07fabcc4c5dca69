/**
 * Unsent drafts per room, kept across reloads in localStorage (a draft is not a secret: it is
 * what the person typed into this browser). One key per signed-in user.
 */
export class Drafts {
  private readonly key: string;
  private readonly map: Map<number, string>;

  constructor(userId: number, private readonly storage: Storage | null = safeLocalStorage()) {
    this.key = `chatty.drafts.${userId}`;
    this.map = new Map();
    try {
      const raw = this.storage?.getItem(this.key);
      const data: unknown = raw ? JSON.parse(raw) : {};
      if (data && typeof data === 'object') {
        for (const [id, text] of Object.entries(data as Record<string, unknown>)) {
          if (typeof text === 'string' && text !== '') this.map.set(Number(id), text);
        }
      }
    } catch {
      // A corrupt entry is dropped: drafts are a convenience.
    }
  }

  get(roomId: number): string {
    return this.map.get(roomId) ?? '';
  }

  set(roomId: number, text: string): void {
    if (text.trim() === '') this.map.delete(roomId);
    else this.map.set(roomId, text);
    try {
      this.storage?.setItem(this.key, JSON.stringify(Object.fromEntries(this.map)));
    } catch {
      // Storage full or disabled: the draft lives until the page closes.
    }
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

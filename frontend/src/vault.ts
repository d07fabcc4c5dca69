/**
 * The session as every tab sees it at the same moment: one IndexedDB record. localStorage is
 * shared too, but Chromium syncs it between tabs asynchronously, so a tab that takes the refresh
 * lock right after another tab rotated the tokens may still read the old refresh token there —
 * and reusing a rotated refresh token revokes the whole session. IndexedDB transactions are
 * ordered across tabs, so reading it under the lock always sees the latest rotation.
 * Every failure (no IndexedDB, private mode) degrades to "nothing stored".
 */
import type { StoredSession } from './state/tokens';

const DB = 'chatty';
const STORE = 'kv';
const KEY = 'session';

function open(): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest | void): Promise<T | null> {
  const db = await open();
  if (db === null) return null;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => {
        db.close();
        resolve(req ? (req.result as T) : null);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        resolve(null);
      };
    } catch {
      db.close();
      resolve(null);
    }
  });
}

export function readShared(): Promise<StoredSession | null> {
  return run<StoredSession>('readonly', (s) => s.get(KEY)).then((v) => v ?? null);
}

export async function writeShared(session: StoredSession): Promise<void> {
  await run('readwrite', (s) => {
    s.put(session, KEY);
  });
}

export async function clearShared(): Promise<void> {
  await run('readwrite', (s) => {
    s.delete(KEY);
  });
}

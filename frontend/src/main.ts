/**
 * Entry point: hash routing (`#/login`, `#/register`, `#/recover`, `#/rooms`, `#/rooms/{id}`), so
 * the gateway only ever serves index.html at `/`.
 */
import './styles.css';
import { Api } from './api';
import { ChatController } from './chat/controller';
import { SessionManager } from './session';
import type { AuthResult } from './types';
import { loginScreen, phraseScreen, recoverScreen, registerScreen } from './ui/auth';
import { settingsScreen } from './ui/settings';
import { ChatView } from './ui/chat-view';
import { replaceChildren } from './ui/dom';

const root = document.getElementById('app');
if (!root) throw new Error('#app missing');

const session = new SessionManager();
const api = new Api(session);

let chat: ChatController | null = null;
let view: ChatView | null = null;
/**
 * A recovery phrase waiting to be confirmed. It survives a reload of this tab (sessionStorage: gone
 * when the tab closes, never in localStorage) so a stray reload does not lose it for good.
 */
type PhraseKind = 'register' | 'recover' | 'renew';
const PHRASE_KEY = 'chatty.pendingPhrase';
let pendingPhrase: { phrase: string; kind: PhraseKind } | null = loadPendingPhrase();

function loadPendingPhrase(): { phrase: string; kind: PhraseKind } | null {
  try {
    const raw = sessionStorage.getItem(PHRASE_KEY);
    const data = raw ? (JSON.parse(raw) as { phrase?: unknown; kind?: unknown }) : null;
    if (data && typeof data.phrase === 'string' && (data.kind === 'register' || data.kind === 'recover' || data.kind === 'renew')) {
      return { phrase: data.phrase, kind: data.kind };
    }
  } catch {
    // Unreadable: nothing to show.
  }
  return null;
}

function setPendingPhrase(value: { phrase: string; kind: PhraseKind } | null): void {
  pendingPhrase = value;
  try {
    if (value) sessionStorage.setItem(PHRASE_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(PHRASE_KEY);
  } catch {
    // Storage disabled: the phrase stays in memory only.
  }
}

// Leaving the page before the phrase is saved loses it: ask first.
window.addEventListener('beforeunload', (ev) => {
  if (pendingPhrase === null) return;
  ev.preventDefault();
  ev.returnValue = '';
});

function navigate(hash: string): void {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function stopChat(): void {
  view?.destroy();
  chat?.stop();
  view = null;
  chat = null;
}

function signedIn(result: AuthResult, phraseKind: 'register' | 'recover' | null): void {
  stopChat();
  session.begin(result);
  if (phraseKind && result.recovery_phrase) {
    showPhrase(result.recovery_phrase, phraseKind);
  } else {
    navigate('#/rooms');
  }
}

/** Show a (new) recovery phrase until the person confirms they saved it. */
function showPhrase(phrase: string, kind: PhraseKind): void {
  setPendingPhrase({ phrase, kind });
  navigate('#/welcome');
}

/** Shown once on the sign-in screen, e.g. after the session could not be renewed. */
let notice: string | null = null;

function logout(): void {
  stopChat();
  setPendingPhrase(null);
  void session.logout();
  navigate('#/login');
}

session.onChange((s) => {
  if (s === null && (chat !== null || !isPublicRoute())) {
    if (chat !== null) notice = 'Your session has ended. Please sign in again.';
    stopChat();
    navigate('#/login');
  }
});

function isPublicRoute(): boolean {
  return ['#/login', '#/register', '#/recover'].includes(location.hash);
}

function route(): void {
  const hash = location.hash || '#/';
  const user = session.user;
  if (!user) {
    stopChat();
    const deps = { api, signedIn };
    if (hash === '#/register') replaceChildren(root!, registerScreen(deps));
    else if (hash === '#/recover') replaceChildren(root!, recoverScreen(deps));
    else if (hash === '#/login') {
      replaceChildren(root!, loginScreen(deps, notice));
      notice = null;
    }
    else navigate('#/login');
    return;
  }
  if (hash === '#/welcome' && pendingPhrase) {
    stopChat();
    const { phrase, kind } = pendingPhrase;
    replaceChildren(
      root!,
      phraseScreen(phrase, kind, () => {
        setPendingPhrase(null);
        navigate('#/rooms');
      }),
    );
    return;
  }
  if (hash === '#/settings') {
    stopChat();
    replaceChildren(root!, settingsScreen({ api, user, newPhrase: (phrase) => showPhrase(phrase, 'renew'), profileSaved: (me) => session.updateUser(me) }));
    return;
  }
  const m = /^#\/rooms(?:\/(\d+))?$/.exec(hash);
  if (!m) {
    navigate('#/rooms');
    return;
  }
  if (!chat || !view) {
    chat = new ChatController(api, session, user);
    const c = chat;
    c.subscribe((change) => {
      if (change.type === 'expired') {
        session.end();
      }
    });
    view = new ChatView(c, { navigate, logout });
    replaceChildren(root!, view.root);
    c.start();
    // Keep the profile fresh (display name changes).
    api.me().then((me) => session.updateUser(me), () => undefined);
  }
  view.showRoom(m[1] ? Number(m[1]) : null);
}

window.addEventListener('hashchange', route);
route();

// The skip link must not change the hash (that is the router's): move focus instead.
document.querySelector<HTMLAnchorElement>('.skip-link')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  document.getElementById('main')?.focus();
});

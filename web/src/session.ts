// The signed-in account and the realtime connection that goes with it.
// Logging out in one tab logs out every tab (BroadcastChannel "bunny").

import { BehaviorSubject } from 'rxjs';
import { api, ApiError, onSessionLost, onSessionRenewed, readCookie, refresh, timeCursor } from './api';
import { Realtime } from './realtime/store';
import type { Account } from './types';

/** undefined while loading, null when anonymous. */
export const account$ = new BehaviorSubject<Account | null | undefined>(undefined);

export const realtime = new Realtime({
  fetchMessages: (group, older, limit) => api.messages(group, timeCursor(older), limit),
  fetchConversations: async () => {
    const me = account$.value;
    return me ? api.conversations(me.id, undefined, 20) : [];
  },
  fetchGroup: (id) => api.group(id),
  renewSession: async () => {
    try {
      await api.me(); // a 401 here refreshes the session (or fails)
      return true;
    } catch (e) {
      return !(e instanceof ApiError && e.status === 401);
    }
  },
});

const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('bunny') : undefined;

function signedOut() {
  realtime.stop();
  account$.next(null);
}

channel?.addEventListener('message', (ev) => {
  if (ev.data === 'LOGOUT') signedOut();
  if (ev.data === 'LOGIN' && !account$.value) void loadAccount();
});
// A new access token: reconnect with it (resume fills any gap).
onSessionRenewed(() => realtime.reconnect());
onSessionLost(() => {
  if (account$.value) signedOut();
});

/** loadAccount asks the server who we are and connects the websocket. */
export async function loadAccount(): Promise<Account | null> {
  if (!readCookie('csrf_token')) {
    // No session cookies at all: anonymous, no need to ask.
    signedOut();
    return null;
  }
  try {
    const me = await api.me();
    account$.next(me);
    realtime.start();
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signedOut();
      return null;
    }
    // Server unreachable: stay anonymous for now, the page shows the error.
    account$.next(null);
    throw e;
  }
}

/** login signs in and connects. */
export async function login(email: string, password: string): Promise<Account | null> {
  await api.login(email, password);
  const me = await loadAccount();
  channel?.postMessage('LOGIN');
  return me;
}

/** logout signs out here and in every other tab. */
export async function logout() {
  try {
    await api.logout();
  } finally {
    channel?.postMessage('LOGOUT');
    signedOut();
  }
}

export { refresh };

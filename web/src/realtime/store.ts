// The realtime store: the one place that holds what the websocket tells us
// (connection, presence, friends' chats, messages, typing, unread counts)
// as an RxJS BehaviorSubject of immutable snapshots. Components subscribe to
// it and call its actions; nothing else talks to the websocket.

import { BehaviorSubject, Subject } from 'rxjs';
import type { ChatMessage, ClientFrame, Notification, PrivateChat, ServerFrame } from '../types';

/** A message the user sent that the server has not acknowledged yet. */
export interface Pending { id: string; content: string; error?: string }

/** One conversation as far as it is loaded. */
export interface ChatState {
  messages: ChatMessage[]; // ascending seq, no duplicates
  pending: Pending[];
  typing?: { username: string; until: number };
  hasMore: boolean; // older messages may exist on the server
  loaded: boolean; // the latest page was fetched
  loading: boolean;
  error?: string;
}

/** An open chat box in the dock. */
export interface Box { groupId: string; collapsed: boolean; unread: number }

export type Status = 'idle' | 'connecting' | 'online' | 'offline';

export interface RealtimeState {
  status: Status;
  me?: string;
  friends: PrivateChat[];
  online: ReadonlySet<string>;
  unreadConversations: ReadonlySet<string>;
  unreadNotifications: number;
  chats: Readonly<Record<string, ChatState>>;
  boxes: Box[];
  error?: string; // the last error frame that answered nothing we track
  /** Why the connection is down, when it is not simply lost (shown instead of "Reconnecting…"). */
  offlineReason?: string;
}

/** The subset of WebSocket the store uses (tests pass a stand-in). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

export interface RealtimeDeps {
  /** Opens the websocket (default: same-origin /ws). */
  connect?: () => SocketLike;
  /** Fetches a page of a chat's messages, newest first (REST). */
  fetchMessages: (groupId: string, older?: ChatMessage, limit?: number) => Promise<ChatMessage[]>;
  /** Renews the session after a refused connection; false = logged out. */
  renewSession?: () => Promise<boolean>;
  now?: () => number;
  /** Delay before reconnect attempt n (0-based), in ms. */
  backoff?: (attempt: number) => number;
}

export const PAGE = 20;
export const TYPING_SEND_EVERY_MS = 3000;
export const TYPING_SHOW_MS = 4000;
const PING_EVERY_MS = 25000;

/** The server's close code for a profile that holds too many connections already. */
export const CLOSE_TOO_MANY = 4029;
/**
 * TOO_MANY_RETRY_MS is how long to wait before trying again after CLOSE_TOO_MANY:
 * retrying sooner would be refused again (a reconnect loop in every extra tab),
 * but the user may close other tabs, so this one comes back on its own.
 */
export const TOO_MANY_RETRY_MS = 60000;
const TOO_MANY_MESSAGE = 'Too many open tabs or devices: close some, this tab retries in a minute.';

const emptyChat = (): ChatState => ({ messages: [], pending: [], hasMore: true, loaded: false, loading: false });

const initial = (): RealtimeState => ({
  status: 'idle', friends: [], online: new Set(), unreadConversations: new Set(), unreadNotifications: 0, chats: {}, boxes: [],
});

/** mergeMessages adds msgs to a seq-ordered list, dropping duplicates by seq. */
export function mergeMessages(list: ChatMessage[], msgs: ChatMessage[]): ChatMessage[] {
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  let changed = false;
  for (const m of msgs) {
    if (!bySeq.has(m.seq)) {
      bySeq.set(m.seq, m);
      changed = true;
    }
  }
  if (!changed) return list;
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

const withSet = <T>(s: ReadonlySet<T>, v: T, on: boolean): ReadonlySet<T> => {
  if (s.has(v) === on) return s;
  const n = new Set(s);
  if (on) n.add(v);
  else n.delete(v);
  return n;
};

/**
 * looking tells whether the user can see this tab: it is visible and its
 * window has the focus. Messages that arrive otherwise stay unread.
 */
const looking = () => typeof document === 'undefined' || (document.visibilityState === 'visible' && document.hasFocus());

const newId = () =>
  typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Realtime owns the websocket connection and the realtime state. */
export class Realtime {
  readonly state$ = new BehaviorSubject<RealtimeState>(initial());
  /** Every notification that arrives live. */
  readonly notifications$ = new Subject<Notification>();
  /** Every chat message that arrives live or is acknowledged. */
  readonly messages$ = new Subject<ChatMessage>();

  /** compact: phone layout; one open box at a time, new boxes start collapsed. */
  compact = false;

  private sock?: SocketLike;
  private running = false;
  private helloSeen = false;
  private attempt = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private typingSentAt = new Map<string, number>();
  private readSent = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly deps: RealtimeDeps) {
    this.now = deps.now ?? Date.now;
  }

  get state(): RealtimeState {
    return this.state$.value;
  }

  private set(patch: Partial<RealtimeState>) {
    this.state$.next({ ...this.state$.value, ...patch });
  }

  private setChat(groupId: string, fn: (c: ChatState) => ChatState) {
    const chats = this.state.chats;
    this.set({ chats: { ...chats, [groupId]: fn(chats[groupId] ?? emptyChat()) } });
  }

  private setBox(groupId: string, fn: (b: Box) => Box) {
    this.set({ boxes: this.state.boxes.map((b) => (b.groupId === groupId ? fn(b) : b)) });
  }

  // ---- connection ----

  /** start connects (and keeps reconnecting) until stop. */
  start() {
    if (this.running) return;
    this.running = true;
    if (typeof window !== 'undefined') {
      document.addEventListener('visibilitychange', this.onLookBack);
      window.addEventListener('focus', this.onLookBack);
    }
    this.open();
  }

  /** stop closes the connection and forgets everything (logout). */
  stop() {
    this.running = false;
    if (typeof window !== 'undefined') {
      document.removeEventListener('visibilitychange', this.onLookBack);
      window.removeEventListener('focus', this.onLookBack);
    }
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.typingTimers.forEach((t) => clearTimeout(t));
    this.typingTimers.clear();
    this.readSent.clear();
    this.typingSentAt.clear();
    const s = this.sock;
    this.sock = undefined;
    s?.close(1000);
    this.state$.next(initial());
  }

  /** reconnect drops the connection and opens a new one (after a session refresh). */
  reconnect() {
    if (!this.running) return;
    const s = this.sock;
    this.sock = undefined;
    s?.close(1000);
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  private open() {
    this.helloSeen = false;
    this.set({ status: 'connecting' });
    const connect = this.deps.connect ?? defaultConnect;
    let s: SocketLike;
    try {
      s = connect();
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.sock = s;
    s.onmessage = (ev) => {
      if (this.sock !== s) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      this.handle(frame);
    };
    s.onclose = (ev) => {
      if (this.sock !== s) return;
      this.sock = undefined;
      clearInterval(this.pingTimer);
      const tooMany = ev?.code === CLOSE_TOO_MANY;
      this.set({ status: this.running ? 'offline' : 'idle', offlineReason: tooMany ? TOO_MANY_MESSAGE : undefined });
      if (!this.running) return;
      // Refused for too many connections: the session is fine (no renewal),
      // and retrying at once would only be refused again.
      if (tooMany) this.scheduleReconnect(TOO_MANY_RETRY_MS);
      else void this.afterClose(this.helloSeen);
    };
    s.onerror = () => {};
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.sendFrame({ type: 'ping' }), PING_EVERY_MS);
  }

  private async afterClose(wasWelcomed: boolean) {
    // A connection refused before hello is most likely an expired access
    // token: renew the session first; if that fails we are logged out.
    if (!wasWelcomed && this.deps.renewSession) {
      const ok = await this.deps.renewSession().catch(() => true);
      if (!ok || !this.running) return;
    }
    this.scheduleReconnect();
  }

  /** scheduleReconnect opens a new connection after delay (default: the next backoff step). */
  private scheduleReconnect(delay?: number) {
    delay ??= (this.deps.backoff ?? ((n) => Math.min(15000, 500 * 2 ** n)))(this.attempt++);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.running && !this.sock && this.open(), delay);
  }

  private sendFrame(f: ClientFrame): boolean {
    if (!this.sock || !this.helloSeen) return false;
    try {
      this.sock.send(JSON.stringify(f));
      return true;
    } catch {
      return false;
    }
  }

  // ---- server frames ----

  /** handle applies one server frame to the state. */
  handle(f: ServerFrame) {
    switch (f.type) {
      case 'hello':
        return this.onHello(f);
      case 'chat.message':
        return this.onMessage(f.message, false);
      case 'chat.ack':
        return this.onAck(f.id, f.message);
      case 'chat.typing':
        return this.onTyping(f.chatGroupId, f.profileId, f.username);
      case 'presence':
        return this.set({ online: withSet(this.state.online, f.profileId, f.online) });
      case 'notification':
        this.set({ unreadNotifications: f.unreadCount });
        this.notifications$.next(f.notification);
        return;
      case 'friend.added': {
        const friends = this.state.friends.filter((c) => c.chatGroupId !== f.chatGroupId);
        this.set({ friends: [...friends, { chatGroupId: f.chatGroupId, profileId: f.profileId, username: f.username }] });
        return;
      }
      case 'friend.removed': {
        const gone = this.state.friends.filter((c) => c.profileId === f.profileId).map((c) => c.chatGroupId);
        this.set({
          friends: this.state.friends.filter((c) => c.profileId !== f.profileId),
          boxes: this.state.boxes.filter((b) => !gone.includes(b.groupId)),
          online: withSet(this.state.online, f.profileId, false),
        });
        return;
      }
      case 'error':
        return this.onError(f.id, f.message);
      default:
        return;
    }
  }

  private onHello(f: Extract<ServerFrame, { type: 'hello' }>) {
    this.helloSeen = true;
    this.attempt = 0;
    this.set({
      status: 'online',
      offlineReason: undefined,
      me: f.profileId,
      friends: f.privateChats ?? [],
      online: new Set(f.onlineFriends ?? []),
      unreadConversations: new Set(f.unreadConversationIds ?? []),
      unreadNotifications: f.unreadNotificationsCount ?? 0,
    });
    // Ask for whatever we missed while away, then resend unacknowledged messages
    // (chat.send ids make the resend idempotent).
    const chats: Record<string, number> = {};
    for (const [id, c] of Object.entries(this.state.chats)) {
      const last = c.messages[c.messages.length - 1];
      if (last) chats[id] = last.seq;
    }
    if (Object.keys(chats).length > 0) this.sendFrame({ type: 'resume', chats });
    for (const [id, c] of Object.entries(this.state.chats)) {
      for (const p of c.pending) this.sendFrame({ type: 'chat.send', id: p.id, chatGroupId: id, content: p.content });
    }
  }

  private onMessage(m: ChatMessage, mine: boolean) {
    // A message seen before (replayed after resume, or acknowledged and
    // echoed) changes nothing.
    if (this.state.chats[m.chatGroupId]?.messages.some((x) => x.seq === m.seq)) return;
    const fromMe = mine || m.fromProfileId === this.state.me;
    this.setChat(m.chatGroupId, (c) => ({
      ...c,
      messages: mergeMessages(c.messages, [m]),
      typing: !fromMe && c.typing ? undefined : c.typing,
    }));
    this.messages$.next(m);
    if (fromMe) {
      this.set({ unreadConversations: withSet(this.state.unreadConversations, m.chatGroupId, false) });
      return;
    }
    const box = this.state.boxes.find((b) => b.groupId === m.chatGroupId);
    const seen = looking();
    if (!box) {
      const unread = this.compact || !seen ? 1 : 0;
      this.set({ boxes: [...this.state.boxes, { groupId: m.chatGroupId, collapsed: this.compact, unread }] });
      if (!this.state.chats[m.chatGroupId]?.loaded) void this.loadLatest(m.chatGroupId);
    } else if (box.collapsed || !seen) {
      this.setBox(m.chatGroupId, (b) => ({ ...b, unread: b.unread + 1 }));
    }
    const nowBox = this.state.boxes.find((b) => b.groupId === m.chatGroupId);
    if (nowBox && !nowBox.collapsed && seen) this.markRead(m.chatGroupId);
    else this.set({ unreadConversations: withSet(this.state.unreadConversations, m.chatGroupId, true) });
  }

  /** onLookBack marks read the open boxes whose messages arrived while the user was not looking. */
  private readonly onLookBack = () => {
    if (!looking()) return;
    for (const b of this.state.boxes) {
      if (!b.collapsed && (b.unread > 0 || this.state.unreadConversations.has(b.groupId))) this.markRead(b.groupId);
    }
  };

  private onAck(id: string, m: ChatMessage) {
    this.setChat(m.chatGroupId, (c) => ({ ...c, pending: c.pending.filter((p) => p.id !== id) }));
    this.readSent.set(m.chatGroupId, Math.max(this.readSent.get(m.chatGroupId) ?? 0, m.seq));
    this.onMessage(m, true);
  }

  private onTyping(groupId: string, profileId: string, username: string) {
    if (profileId === this.state.me) return;
    const until = this.now() + TYPING_SHOW_MS;
    this.setChat(groupId, (c) => ({ ...c, typing: { username, until } }));
    clearTimeout(this.typingTimers.get(groupId));
    this.typingTimers.set(
      groupId,
      setTimeout(() => {
        this.typingTimers.delete(groupId);
        const t = this.state.chats[groupId]?.typing;
        if (t && t.until <= this.now()) this.setChat(groupId, (c) => ({ ...c, typing: undefined }));
      }, TYPING_SHOW_MS),
    );
  }

  private onError(id: string | number | undefined, message: string) {
    if (id !== undefined) {
      for (const [g, c] of Object.entries(this.state.chats)) {
        if (c.pending.some((p) => p.id === id)) {
          this.setChat(g, (c) => ({ ...c, pending: c.pending.map((p) => (p.id === id ? { ...p, error: message } : p)) }));
          return;
        }
      }
    }
    this.set({ error: message });
  }

  // ---- actions ----

  /** openChat shows a chat's box, loads its latest messages and marks it read. */
  openChat(groupId: string) {
    let boxes = this.state.boxes;
    if (this.compact) boxes = boxes.map((b) => ({ ...b, collapsed: true }));
    const has = boxes.some((b) => b.groupId === groupId);
    boxes = has
      ? boxes.map((b) => (b.groupId === groupId ? { ...b, collapsed: false, unread: 0 } : b))
      : [...boxes, { groupId, collapsed: false, unread: 0 }];
    this.set({ boxes });
    if (!this.state.chats[groupId]?.loaded) void this.loadLatest(groupId);
    this.markRead(groupId);
  }


  toggleBox(groupId: string) {
    const box = this.state.boxes.find((b) => b.groupId === groupId);
    if (!box) return;
    if (box.collapsed) this.openChat(groupId);
    else this.setBox(groupId, (b) => ({ ...b, collapsed: true }));
  }

  closeBox(groupId: string) {
    this.set({ boxes: this.state.boxes.filter((b) => b.groupId !== groupId) });
  }

  /** markRead moves the read pointer to the newest loaded message (once per seq). */
  markRead(groupId: string) {
    this.setBox(groupId, (b) => ({ ...b, unread: 0 }));
    this.set({ unreadConversations: withSet(this.state.unreadConversations, groupId, false) });
    const msgs = this.state.chats[groupId]?.messages ?? [];
    const seq = msgs[msgs.length - 1]?.seq ?? 0;
    if (seq > (this.readSent.get(groupId) ?? 0) && this.sendFrame({ type: 'chat.read', chatGroupId: groupId, seq })) {
      this.readSent.set(groupId, seq);
    }
  }

  /** notificationsRead lowers the unread notifications badge by n (seen in the list). */
  notificationsRead(n: number) {
    this.set({ unreadNotifications: Math.max(0, this.state.unreadNotifications - n) });
  }

  /** markConversationRead forgets a conversation's unread marker locally. */
  markConversationRead(groupId: string) {
    this.set({ unreadConversations: withSet(this.state.unreadConversations, groupId, false) });
  }

  /** send queues a message; it is (re)sent until acknowledged. */
  send(groupId: string, content: string) {
    if (!content.trim()) return;
    const p: Pending = { id: newId(), content };
    this.setChat(groupId, (c) => ({ ...c, pending: [...c.pending, p] }));
    this.sendFrame({ type: 'chat.send', id: p.id, chatGroupId: groupId, content });
    this.typingSentAt.delete(groupId);
  }

  /** retry resends a message the server refused. */
  retry(groupId: string, id: string) {
    const p = this.state.chats[groupId]?.pending.find((x) => x.id === id);
    if (!p) return;
    this.setChat(groupId, (c) => ({ ...c, pending: c.pending.map((x) => (x.id === id ? { ...x, error: undefined } : x)) }));
    this.sendFrame({ type: 'chat.send', id, chatGroupId: groupId, content: p.content });
  }

  /** discard drops a message the server refused. */
  discard(groupId: string, id: string) {
    this.setChat(groupId, (c) => ({ ...c, pending: c.pending.filter((x) => x.id !== id) }));
  }

  /** typing tells the other member we are typing, at most once per 3 s. */
  typing(groupId: string) {
    const last = this.typingSentAt.get(groupId);
    if (last !== undefined && this.now() - last < TYPING_SEND_EVERY_MS) return;
    if (this.sendFrame({ type: 'chat.typing', chatGroupId: groupId })) this.typingSentAt.set(groupId, this.now());
  }

  /** loadLatest fetches the newest page of a chat. */
  loadLatest(groupId: string) {
    return this.loadPage(groupId, undefined);
  }

  /** loadOlder fetches the page before the oldest loaded message. */
  loadOlder(groupId: string) {
    const c = this.state.chats[groupId];
    if (!c || c.loading || !c.hasMore) return Promise.resolve();
    return this.loadPage(groupId, c.messages[0]);
  }

  private async loadPage(groupId: string, older: ChatMessage | undefined) {
    this.setChat(groupId, (c) => ({ ...c, loading: true, error: undefined }));
    try {
      const page = await this.deps.fetchMessages(groupId, older, PAGE);
      this.setChat(groupId, (c) => ({
        ...c,
        loading: false,
        loaded: true,
        hasMore: older || !c.loaded ? page.length === PAGE : c.hasMore,
        messages: mergeMessages(c.messages, page),
      }));
      const box = this.state.boxes.find((b) => b.groupId === groupId);
      if (!older && box && !box.collapsed && looking()) this.markRead(groupId);
    } catch (e) {
      this.setChat(groupId, (c) => ({ ...c, loading: false, error: e instanceof Error ? e.message : 'Could not load messages' }));
    }
  }

  /** friendByProfile returns the chat with a friend, by profile id. */
  friendByProfile(profileId: string): PrivateChat | undefined {
    return this.state.friends.find((f) => f.profileId === profileId);
  }

  /** friendByGroup returns the friend a chat is with. */
  friendByGroup(groupId: string): PrivateChat | undefined {
    return this.state.friends.find((f) => f.chatGroupId === groupId);
  }
}

function defaultConnect(): SocketLike {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocket(`${proto}//${window.location.host}/ws`);
}

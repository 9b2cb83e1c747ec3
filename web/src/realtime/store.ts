// The realtime store: the one place components get realtime state from.
// It puts together three parts and holds their result in one RxJS
// BehaviorSubject of immutable snapshots:
//
//   connection.ts  the websocket: lifecycle, reconnect with backoff, ping,
//                  resume after hello, session renewal, 4029
//   reducer.ts     a pure reducer of server frames (and a few local events)
//                  into friends, presence, unread counts, chats
//   dock.ts        the chat boxes (open, collapsed, unread per box) and
//                  whether the user is looking at the tab
//
// Components only read `state$` (useValue), listen to the event streams
// (useEvents) and call the actions below; nothing else talks to the
// websocket.
//
// Public API (the `Realtime` class):
//   state$, state                  the current RealtimeState
//   notifications$, messages$,     live events: each notification, each
//   friendships$, memberships$     chat message, each friendship begun/ended,
//                                  each group chat joined/left
//   start(), stop(), reconnect()   session lifecycle (session.ts calls them)
//   compact                        phone layout for the dock (App sets it)
//   openChat, toggleBox, closeBox  the dock
//   send, retry, discard, typing   sending
//   loadLatest, loadOlder          chat history
//   notificationsRead,             local unread bookkeeping
//   markConversationRead
//   react                          toggles a reaction (chat.react)
//   groupLoaded,                   REST answers the store learns from:
//   conversationsLoaded            a group chat, a conversation list page
//   friendByProfile, friendByGroup, lookups
//   groupById
//   handle(frame)                  applies a server frame (the connection
//                                  calls it; tests may too)

import { BehaviorSubject, Subject } from 'rxjs';
import type { ChatMessage, Conversation, GroupChat, Notification } from '../types';
import { Connection, type ConnectionDeps, type ConnectionStatus } from './connection';
import { closeBoxes, clearUnread, collapseBox, documentAttention, findBox, isOpen, openBox, receive, unreadOpenBoxes, type Attention, type Box } from './dock';
import type { ClientFrame, PrivateChat, ServerFrame } from './protocol';
import { hasMessage, initialData, lastSeqs, PAGE, reactionID, reduce, TYPING_SHOW_MS, type Group, type LocalEvent, type RealtimeData } from './reducer';

export type { Box } from './dock';
export type { ChatState, Group, Pending, Typist } from './reducer';
export type { SocketLike, Status } from './connection';
export { mergeMessages, PAGE, TYPING_SHOW_MS } from './reducer';
export { TOO_MANY_RETRY_MS } from './connection';
export { CLOSE_TOO_MANY } from './protocol';

/** Everything components see: the connection's status, the reduced data and the dock. */
export interface RealtimeState extends RealtimeData, ConnectionStatus {
  boxes: Box[];
}

export interface RealtimeDeps extends Omit<ConnectionDeps, 'resumeFrames'> {
  /** Fetches a page of a chat's messages, newest first (REST). */
  fetchMessages: (groupId: string, older?: ChatMessage, limit?: number) => Promise<ChatMessage[]>;
  /** Fetches the newest conversations (REST): the members' read pointers for "Seen" and the unread counts. */
  fetchConversations?: () => Promise<Conversation[]>;
  /** Fetches a group chat with its members' names (REST). */
  fetchGroup?: (groupId: string) => Promise<GroupChat>;
  now?: () => number;
  /** Whether the user looks at the tab (default: the document's visibility and focus). */
  attention?: Attention;
}

/** A friendship that began (friend.added) or ended (friend.removed). */
export interface FriendshipChange { profileId: string; friend: boolean }

/** A group chat we joined (group.added) or left (group.removed). */
export interface MembershipChange { chatGroupId: string; member: boolean }

export const TYPING_SEND_EVERY_MS = 3000;

const initial = (): RealtimeState => ({ ...initialData(), status: 'idle', boxes: [] });

const newId = () =>
  typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Realtime holds the realtime state and is the only way to act on it. */
export class Realtime {
  readonly state$ = new BehaviorSubject<RealtimeState>(initial());
  /** Every notification that arrives live. */
  readonly notifications$ = new Subject<Notification>();
  /** Every new chat message, arrived live or acknowledged. */
  readonly messages$ = new Subject<ChatMessage>();
  /** Every friendship that begins or ends while we are connected. */
  readonly friendships$ = new Subject<FriendshipChange>();
  /** Every group chat we join or leave while we are connected. */
  readonly memberships$ = new Subject<MembershipChange>();

  /** compact: phone layout; one open box at a time, new boxes start collapsed. */
  compact = false;

  private readonly conn: Connection;
  private readonly attention: Attention;
  private readonly now: () => number;
  private unwatch?: () => void;
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private typingSentAt = new Map<string, number>();
  /** The highest seq a chat.read was sent for (or the server moved the pointer to), per chat. */
  private readSent = new Map<string, number>();
  private reactions = 0; // chat.react frames sent, for their ids

  constructor(private readonly deps: RealtimeDeps) {
    this.now = deps.now ?? Date.now;
    this.attention = deps.attention ?? documentAttention;
    this.conn = new Connection({ ...deps, resumeFrames: () => this.resumeFrames() });
    this.conn.frames$.subscribe((f) => this.handle(f));
    this.conn.status$.subscribe(({ status, offlineReason }) => this.commit({ ...this.state, status, offlineReason }));
  }

  get state(): RealtimeState {
    return this.state$.value;
  }

  private commit(next: RealtimeState) {
    if (next !== this.state) this.state$.next(next);
  }

  private apply(e: LocalEvent) {
    this.commit(reduce(this.state, e, this.now()));
  }

  // ---- lifecycle ----

  /** start connects (and keeps reconnecting) until stop. */
  start() {
    this.unwatch ??= this.attention.watch(this.onLookBack);
    this.conn.start();
  }

  /** stop closes the connection and forgets everything (logout). */
  stop() {
    this.unwatch?.();
    this.unwatch = undefined;
    this.conn.stop();
    this.typingTimers.forEach((t) => clearTimeout(t));
    this.typingTimers.clear();
    this.readSent.clear();
    this.typingSentAt.clear();
    this.state$.next(initial());
  }

  /** reconnect drops the connection and opens a new one (after a session refresh). */
  reconnect() {
    this.conn.reconnect();
  }

  /** resumeFrames is what the connection sends after hello: resume from each chat's last seq, then unacknowledged sends. */
  private resumeFrames(): ClientFrame[] {
    const frames: ClientFrame[] = [];
    const chats = lastSeqs(this.state);
    if (Object.keys(chats).length > 0) frames.push({ type: 'resume', chats });
    for (const [id, c] of Object.entries(this.state.chats)) {
      for (const p of c.pending) frames.push({ type: 'chat.send', id: p.id, chatGroupId: id, content: p.content });
    }
    return frames;
  }

  // ---- server frames ----

  /** handle applies one server frame: the reducer's state, then what follows from it. */
  handle(f: ServerFrame) {
    const prev = this.state;
    const next = reduce(prev, f, this.now());
    switch (f.type) {
      case 'chat.message':
      case 'chat.ack': {
        const m = f.message;
        const mine = f.type === 'chat.ack' || m.fromProfileId === prev.me;
        if (f.type === 'chat.ack') this.readSent.set(m.chatGroupId, Math.max(this.readSent.get(m.chatGroupId) ?? 0, m.seq));
        this.commit(next);
        // A message seen before (replayed after resume, or acknowledged and
        // echoed) changes nothing else.
        if (hasMessage(prev, m)) return;
        this.messages$.next(m);
        if (!mine) this.received(m.chatGroupId);
        return;
      }
      case 'chat.typing':
        this.commit(next);
        if (next !== prev) this.expireTyping(f.chatGroupId);
        return;
      case 'notification':
        this.commit(next);
        this.notifications$.next(f.notification);
        return;
      case 'friend.added':
        this.commit(next);
        this.friendships$.next({ profileId: f.profileId, friend: true });
        return;
      case 'hello':
        this.commit(next);
        void this.loadConversations();
        return;
      case 'group.added':
        this.commit(next);
        this.memberships$.next({ chatGroupId: f.chatGroupId, member: true });
        return;
      case 'group.removed':
        this.commit({ ...next, boxes: closeBoxes(next.boxes, [f.chatGroupId]) });
        this.memberships$.next({ chatGroupId: f.chatGroupId, member: false });
        return;
      case 'friend.removed': {
        const gone = prev.friends.filter((c) => c.profileId === f.profileId).map((c) => c.chatGroupId);
        this.commit({ ...next, boxes: closeBoxes(next.boxes, gone) });
        this.friendships$.next({ profileId: f.profileId, friend: false });
        return;
      }
      default:
        this.commit(next);
    }
  }

  /** received puts another member's new message in the dock, and marks it read if the user sees it. */
  private received(groupId: string) {
    const looking = this.attention.looking();
    const r = receive(this.state.boxes, groupId, this, looking);
    this.commit({ ...this.state, boxes: r.boxes });
    if (r.created && !this.state.chats[groupId]?.loaded) void this.loadLatest(groupId);
    if (r.read) this.markRead(groupId);
  }

  private expireTyping(groupId: string) {
    clearTimeout(this.typingTimers.get(groupId));
    this.typingTimers.set(
      groupId,
      setTimeout(() => {
        this.typingTimers.delete(groupId);
        this.apply({ type: 'local.typing.expired', chatGroupId: groupId });
      }, TYPING_SHOW_MS),
    );
  }

  /** onLookBack marks read the open boxes whose messages arrived while the user was not looking. */
  private readonly onLookBack = () => {
    if (!this.attention.looking()) return;
    for (const g of unreadOpenBoxes(this.state.boxes, this.state.unreadConversations)) this.markRead(g);
  };

  // ---- actions ----

  /** openChat shows a chat's box, loads its latest messages (and a group's members' names) and marks it read. */
  openChat(groupId: string) {
    this.commit({ ...this.state, boxes: openBox(this.state.boxes, groupId, this) });
    if (!this.state.chats[groupId]?.loaded) void this.loadLatest(groupId);
    if (this.groupById(groupId)?.members.some((m) => !m.username)) void this.loadGroup(groupId);
    this.markRead(groupId);
  }

  /** groupLoaded applies a group chat the REST API returned (created, renamed, a member added). */
  groupLoaded(g: GroupChat) {
    this.apply({ type: 'local.group', group: { chatGroupId: g.chatGroupId, name: g.name, members: g.members } });
  }

  /** conversationsLoaded takes the read pointers and unread counts of a page of the conversation list. */
  conversationsLoaded(items: Conversation[]) {
    this.apply({ type: 'local.conversations', items });
  }

  private async loadGroup(groupId: string) {
    try {
      if (this.deps.fetchGroup) this.groupLoaded(await this.deps.fetchGroup(groupId));
    } catch {
      // The names stay unknown; the box still works.
    }
  }

  private async loadConversations() {
    try {
      if (this.deps.fetchConversations) this.conversationsLoaded(await this.deps.fetchConversations());
    } catch {
      // "Seen" then waits for the next chat.seen.
    }
  }

  /** react toggles our reaction to a message; the chat.reaction frame that answers updates the message. */
  react(groupId: string, messageId: string, emoji: string) {
    this.conn.send({ type: 'chat.react', id: reactionID(groupId, ++this.reactions), chatGroupId: groupId, messageId, emoji });
  }

  /** toggleBox opens a collapsed box or collapses an open one. */
  toggleBox(groupId: string) {
    const box = findBox(this.state.boxes, groupId);
    if (!box) return;
    if (box.collapsed) this.openChat(groupId);
    else this.commit({ ...this.state, boxes: collapseBox(this.state.boxes, groupId) });
  }

  /** closeBox removes a chat's box from the dock. */
  closeBox(groupId: string) {
    this.commit({ ...this.state, boxes: closeBoxes(this.state.boxes, [groupId]) });
  }

  /** markRead moves the read pointer to the newest loaded message (once per seq). */
  private markRead(groupId: string) {
    const s = reduce(this.state, { type: 'local.read', chatGroupId: groupId }, this.now());
    this.commit({ ...s, boxes: clearUnread(s.boxes, groupId) });
    const msgs = this.state.chats[groupId]?.messages ?? [];
    const seq = msgs[msgs.length - 1]?.seq ?? 0;
    if (seq > (this.readSent.get(groupId) ?? 0) && this.conn.send({ type: 'chat.read', chatGroupId: groupId, seq })) {
      this.readSent.set(groupId, seq);
    }
  }

  /** notificationsRead lowers the unread notifications badge by n (seen in the list). */
  notificationsRead(n: number) {
    this.apply({ type: 'local.notifications.read', count: n });
  }

  /** markConversationRead forgets a conversation's unread marker locally. */
  markConversationRead(groupId: string) {
    this.apply({ type: 'local.read', chatGroupId: groupId });
  }

  /** send queues a message; it is (re)sent until acknowledged. */
  send(groupId: string, content: string) {
    if (!content.trim()) return;
    const id = newId();
    this.apply({ type: 'local.send', chatGroupId: groupId, id, content });
    this.conn.send({ type: 'chat.send', id, chatGroupId: groupId, content });
    this.typingSentAt.delete(groupId);
  }

  /** retry resends a message the server refused. */
  retry(groupId: string, id: string) {
    const p = this.state.chats[groupId]?.pending.find((x) => x.id === id);
    if (!p) return;
    this.apply({ type: 'local.retry', chatGroupId: groupId, id });
    this.conn.send({ type: 'chat.send', id, chatGroupId: groupId, content: p.content });
  }

  /** discard drops a message the server refused. */
  discard(groupId: string, id: string) {
    this.apply({ type: 'local.discard', chatGroupId: groupId, id });
  }

  /** typing tells the other member we are typing, at most once per 3 s. */
  typing(groupId: string) {
    const last = this.typingSentAt.get(groupId);
    if (last !== undefined && this.now() - last < TYPING_SEND_EVERY_MS) return;
    if (this.conn.send({ type: 'chat.typing', chatGroupId: groupId })) this.typingSentAt.set(groupId, this.now());
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
    this.apply({ type: 'local.history.loading', chatGroupId: groupId });
    try {
      const page = await this.deps.fetchMessages(groupId, older, PAGE);
      this.apply({ type: 'local.history.loaded', chatGroupId: groupId, page, older: !!older });
      if (!older && isOpen(this.state.boxes, groupId) && this.attention.looking()) this.markRead(groupId);
    } catch (e) {
      this.apply({ type: 'local.history.failed', chatGroupId: groupId, error: e instanceof Error ? e.message : 'Could not load messages' });
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

  /** groupById returns a group chat we are a member of. */
  groupById(groupId: string): Group | undefined {
    return this.state.groups.find((g) => g.chatGroupId === groupId);
  }
}

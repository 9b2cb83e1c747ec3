// The realtime reducer: a pure function from (state, event, now) to the next
// state. Events are the server's frames (protocol.ts) and a few local events
// (a message queued, a history page loaded, a typing indicator expired…).
// No sockets, timers or DOM here: the connection feeds it frames, the store
// (store.ts) feeds it local events and decides what to do next; the dock
// (dock.ts) keeps the chat boxes.

import type { ChatMessage, Conversation, Reactions } from '../types';
import type { Member, PrivateChat, ServerFrame } from './protocol';

/** A group chat and its members (a username is '' until a frame or GET /web/chat/groups/{id} names them). */
export interface Group { chatGroupId: string; name: string; members: Member[] }

/** A member typing in a chat, shown until `until` or their next message. */
export interface Typist { profileId: string; username: string; until: number }

/** A message the user sent that the server has not acknowledged yet. */
export interface Pending { id: string; content: string; at: string; error?: string }

/** One conversation as far as it is loaded. */
export interface ChatState {
  messages: ChatMessage[]; // ascending seq, no duplicates
  pending: Pending[];
  typing?: Typist[]; // never empty
  hasMore: boolean; // older messages may exist on the server
  loaded: boolean; // the latest page was fetched
  loading: boolean;
  error?: string;
  notice?: string; // why our last reaction here was refused
}

/** What the server told us, plus what we sent and wait for. */
export interface RealtimeData {
  me?: string;
  friends: PrivateChat[];
  groups: Group[];
  /**
   * names holds every username this tab learned, by profile id (friends,
   * group members, typists), kept after they leave: a group's history
   * still names its former members.
   */
  names: Readonly<Record<string, string>>;
  /** The members' read pointers per chat (chat.seen, the conversation list): chat id → profile id → seq. */
  readSeqs: Readonly<Record<string, Readonly<Record<string, number>>>>;
  online: ReadonlySet<string>;
  unreadConversations: ReadonlySet<string>;
  /** How many messages arrived unread, per unread conversation, as far as this tab counted (absent: unknown, at least one). */
  unreadCounts: Readonly<Record<string, number>>;
  unreadNotifications: number;
  chats: Readonly<Record<string, ChatState>>;
  error?: string; // the last error frame that answered nothing we track
}

/** Events the store itself applies (the server's frames are the others). */
export type LocalEvent =
  | { type: 'local.send'; chatGroupId: string; id: string; content: string }
  | { type: 'local.retry'; chatGroupId: string; id: string }
  | { type: 'local.discard'; chatGroupId: string; id: string }
  | { type: 'local.history.loading'; chatGroupId: string }
  | { type: 'local.history.loaded'; chatGroupId: string; page: ChatMessage[]; older: boolean }
  | { type: 'local.history.failed'; chatGroupId: string; error: string }
  | { type: 'local.typing.expired'; chatGroupId: string }
  | { type: 'local.read'; chatGroupId: string }
  | { type: 'local.notifications.read'; count: number }
  | { type: 'local.conversations'; items: Conversation[] }
  | { type: 'local.group'; group: Group };

export type RealtimeEvent = ServerFrame | LocalEvent;

/** PAGE is the size of a chat history page. */
export const PAGE = 20;
/** TYPING_SHOW_MS is how long "… is typing" stays after the last chat.typing. */
export const TYPING_SHOW_MS = 4000;

export const emptyChat = (): ChatState => ({ messages: [], pending: [], hasMore: true, loaded: false, loading: false });

export const initialData = (): RealtimeData => ({
  friends: [], groups: [], names: {}, readSeqs: {}, online: new Set(), unreadConversations: new Set(), unreadCounts: {}, unreadNotifications: 0, chats: {},
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

/** withSet returns s with v in it (on) or not, the same set when nothing changes. */
export const withSet = <T>(s: ReadonlySet<T>, v: T, on: boolean): ReadonlySet<T> => {
  if (s.has(v) === on) return s;
  const n = new Set(s);
  if (on) n.add(v);
  else n.delete(v);
  return n;
};

/** hasMessage tells whether a chat already holds the message with this seq. */
export const hasMessage = (s: RealtimeData, m: ChatMessage) => !!s.chats[m.chatGroupId]?.messages.some((x) => x.seq === m.seq);

/** withCount sets a conversation's unread count (n > 0) or forgets it. */
function withCount(counts: Readonly<Record<string, number>>, groupId: string, n: number): Readonly<Record<string, number>> {
  if ((counts[groupId] ?? 0) === n) return counts;
  const next = { ...counts };
  if (n > 0) next[groupId] = n;
  else delete next[groupId];
  return next;
}

/** withoutTypist drops a member from a chat's typists (undefined when none is left). */
function withoutTypist(typing: Typist[] | undefined, profileId: string): Typist[] | undefined {
  if (!typing?.some((t) => t.profileId === profileId)) return typing;
  const rest = typing.filter((t) => t.profileId !== profileId);
  return rest.length > 0 ? rest : undefined;
}

/** withReadSeq moves a member's read pointer forward (never back). */
function withReadSeq<S extends RealtimeData>(s: S, groupId: string, profileId: string, seq: number): S {
  const chatSeqs = s.readSeqs[groupId] ?? {};
  if ((chatSeqs[profileId] ?? 0) >= seq) return s;
  return { ...s, readSeqs: { ...s.readSeqs, [groupId]: { ...chatSeqs, [profileId]: seq } } };
}

/** toggled turns a member's reaction on or off in a message's reactions. */
export function toggled(r: Reactions | undefined, emoji: string, profileId: string, on: boolean): Reactions {
  const who = r?.[emoji] ?? [];
  if (who.includes(profileId) === on) return r ?? {};
  const next = { ...r, [emoji]: on ? [...who, profileId] : who.filter((p) => p !== profileId) };
  if (next[emoji].length === 0) delete next[emoji];
  return next;
}

/** withNames learns usernames (an empty one teaches nothing). */
function withNames(names: Readonly<Record<string, string>>, people: readonly Member[]): Readonly<Record<string, string>> {
  const fresh = people.filter((p) => p.username && names[p.profileId] !== p.username);
  return fresh.length === 0 ? names : { ...names, ...Object.fromEntries(fresh.map((p) => [p.profileId, p.username])) };
}

/** named gives each member the username learned for them, if their own is empty. */
const named = (names: Readonly<Record<string, string>>, members: readonly Member[]): Member[] =>
  members.map((m) => (m.username ? m : { ...m, username: names[m.profileId] ?? '' }));

/** withGroup adds or replaces a group chat, naming the members a frame leaves unnamed. */
function withGroup<S extends RealtimeData>(s: S, g: Group): S {
  const names = withNames(s.names, g.members);
  const next = { ...g, members: named(names, g.members) };
  const old = s.groups.some((x) => x.chatGroupId === g.chatGroupId);
  return { ...s, names, groups: old ? s.groups.map((x) => (x.chatGroupId === g.chatGroupId ? next : x)) : [...s.groups, next] };
}

/** onConversations takes the members' read pointers and unread counts of a conversation list page. */
function onConversations<S extends RealtimeData>(s: S, items: Conversation[]): S {
  let next = s;
  for (const c of items) {
    for (const r of c.readSeqs ?? []) next = withReadSeq(next, c.chatGroupId, r.profileId, r.seq);
    // Messages may have arrived since the server counted: the higher count holds.
    if (c.unreadCount > 0 && next.unreadConversations.has(c.chatGroupId)) {
      const n = Math.max(c.unreadCount, next.unreadCounts[c.chatGroupId] ?? 0);
      next = { ...next, unreadCounts: withCount(next.unreadCounts, c.chatGroupId, n) };
    }
  }
  return next;
}

function chat<S extends RealtimeData>(s: S, groupId: string, fn: (c: ChatState) => ChatState): S {
  return { ...s, chats: { ...s.chats, [groupId]: fn(s.chats[groupId] ?? emptyChat()) } };
}

/**
 * onMessage merges a chat message. Another member's message ends their
 * typing and leaves the conversation unread (the store marks it read when
 * the user is looking at its box); one of ours marks it read.
 */
function onMessage<S extends RealtimeData>(s: S, m: ChatMessage, mine: boolean): S {
  if (hasMessage(s, m)) return s;
  const fromMe = mine || m.fromProfileId === s.me;
  const next = chat(s, m.chatGroupId, (c) => ({
    ...c,
    messages: mergeMessages(c.messages, [m]),
    typing: withoutTypist(c.typing, m.fromProfileId),
  }));
  const count = fromMe ? 0 : (s.unreadCounts[m.chatGroupId] ?? 0) + 1;
  return {
    ...next,
    unreadConversations: withSet(s.unreadConversations, m.chatGroupId, !fromMe),
    unreadCounts: withCount(s.unreadCounts, m.chatGroupId, count),
  };
}

/** reduce applies one event. It is pure: the same inputs give the same state. */
export function reduce<S extends RealtimeData>(s: S, e: RealtimeEvent, now: number): S {
  switch (e.type) {
    case 'hello': {
      // Chats stay: their last seqs are what resume asks after.
      const names = withNames(s.names, e.privateChats ?? []);
      return {
        ...s,
        me: e.profileId,
        friends: e.privateChats ?? [],
        names,
        groups: (e.groupChats ?? []).map((g) => ({
          chatGroupId: g.chatGroupId, name: g.name, members: named(names, g.memberIds.map((id) => ({ profileId: id, username: '' }))),
        })),
        online: new Set(e.onlineFriends ?? []),
        unreadConversations: new Set(e.unreadConversationIds ?? []),
        // What this tab counted still holds for what is still unread.
        unreadCounts: Object.fromEntries(Object.entries(s.unreadCounts).filter(([g]) => e.unreadConversationIds?.includes(g))),
        unreadNotifications: e.unreadNotificationsCount ?? 0,
      };
    }
    case 'chat.message':
      return onMessage(s, e.message, false);
    case 'chat.ack': {
      const acked = chat(s, e.message.chatGroupId, (c) => ({ ...c, pending: c.pending.filter((p) => p.id !== e.id) }));
      return onMessage(acked, e.message, true);
    }
    case 'chat.typing':
      if (e.profileId === s.me) return s;
      return chat({ ...s, names: withNames(s.names, [e]) }, e.chatGroupId, (c) => ({
        ...c,
        typing: [...(withoutTypist(c.typing, e.profileId) ?? []), { profileId: e.profileId, username: e.username, until: now + TYPING_SHOW_MS }],
      }));
    case 'presence':
      return { ...s, online: withSet(s.online, e.profileId, e.online) };
    case 'notification':
      return { ...s, unreadNotifications: e.unreadCount };
    case 'friend.added': {
      const friends = s.friends.filter((c) => c.chatGroupId !== e.chatGroupId);
      return { ...s, names: withNames(s.names, [e]), friends: [...friends, { chatGroupId: e.chatGroupId, profileId: e.profileId, username: e.username }] };
    }
    case 'friend.removed':
      return { ...s, friends: s.friends.filter((c) => c.profileId !== e.profileId), online: withSet(s.online, e.profileId, false) };
    case 'group.added':
    case 'group.updated':
      return withGroup(s, { chatGroupId: e.chatGroupId, name: e.name, members: e.members });
    case 'group.removed':
      return { ...s, groups: s.groups.filter((g) => g.chatGroupId !== e.chatGroupId) };
    case 'chat.seen': {
      const next = withReadSeq(s, e.chatGroupId, e.profileId, e.seq);
      // Our own pointer moved (another tab of ours read it): read here too, if nothing newer came.
      const msgs = s.chats[e.chatGroupId]?.messages ?? [];
      const newest = msgs[msgs.length - 1]?.seq ?? 0;
      return e.profileId === s.me && e.seq >= newest ? reduce(next, { type: 'local.read', chatGroupId: e.chatGroupId }, now) : next;
    }
    case 'chat.reaction':
      if (!s.chats[e.chatGroupId]?.messages.some((m) => m.id === e.messageId)) return s;
      return chat(s, e.chatGroupId, (c) => ({
        ...c,
        notice: e.profileId === s.me ? undefined : c.notice,
        messages: c.messages.map((m) => (m.id === e.messageId ? { ...m, reactions: toggled(m.reactions, e.emoji, e.profileId, e.on) } : m)),
      }));
    case 'error': {
      const id = e.id;
      const reacted = typeof id === 'string' ? reactionChat(id) : undefined;
      if (reacted && s.chats[reacted]) return chat(s, reacted, (c) => ({ ...c, notice: `Reaction not added: ${e.message}` }));
      if (id !== undefined) {
        for (const [g, c] of Object.entries(s.chats)) {
          if (c.pending.some((p) => p.id === id)) {
            return chat(s, g, (c) => ({ ...c, pending: c.pending.map((p) => (p.id === id ? { ...p, error: e.message } : p)) }));
          }
        }
      }
      return { ...s, error: e.message };
    }
    case 'resume.done':
    case 'pong':
      return s;

    case 'local.send':
      return chat(s, e.chatGroupId, (c) => ({ ...c, pending: [...c.pending, { id: e.id, content: e.content, at: new Date(now).toISOString() }] }));
    case 'local.retry':
      return chat(s, e.chatGroupId, (c) => ({ ...c, pending: c.pending.map((p) => (p.id === e.id ? { ...p, error: undefined } : p)) }));
    case 'local.discard':
      return chat(s, e.chatGroupId, (c) => ({ ...c, pending: c.pending.filter((p) => p.id !== e.id) }));
    case 'local.history.loading':
      return chat(s, e.chatGroupId, (c) => ({ ...c, loading: true, error: undefined }));
    case 'local.history.loaded':
      return chat(s, e.chatGroupId, (c) => ({
        ...c,
        loading: false,
        loaded: true,
        // A newer page after the first one says nothing about older messages.
        hasMore: e.older || !c.loaded ? e.page.length === PAGE : c.hasMore,
        messages: mergeMessages(c.messages, e.page),
      }));
    case 'local.history.failed':
      return chat(s, e.chatGroupId, (c) => ({ ...c, loading: false, error: e.error }));
    case 'local.typing.expired': {
      const t = s.chats[e.chatGroupId]?.typing;
      if (!t?.some((x) => x.until <= now)) return s;
      const rest = t.filter((x) => x.until > now);
      return chat(s, e.chatGroupId, (c) => ({ ...c, typing: rest.length > 0 ? rest : undefined }));
    }
    case 'local.read':
      return {
        ...s,
        unreadConversations: withSet(s.unreadConversations, e.chatGroupId, false),
        unreadCounts: withCount(s.unreadCounts, e.chatGroupId, 0),
      };
    case 'local.notifications.read':
      return { ...s, unreadNotifications: Math.max(0, s.unreadNotifications - e.count) };
    case 'local.conversations':
      return onConversations(s, e.items);
    case 'local.group':
      return withGroup(s, e.group);
    default:
      return s;
  }
}

/** lastSeqs gives the newest loaded seq of each chat that has messages (what resume asks after). */
export function lastSeqs(s: RealtimeData): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, c] of Object.entries(s.chats)) {
    const last = c.messages[c.messages.length - 1];
    if (last) out[id] = last.seq;
  }
  return out;
}

/** reactionID names our chat.react frames, so that an error answering one is shown in its chat. */
export function reactionID(groupId: string, n: number): string {
  return `react:${groupId}:${n}`;
}

/** reactionChat returns the chat of a reactionID, or undefined. */
function reactionChat(id: string): string | undefined {
  const [kind, group] = id.split(':');
  return kind === 'react' ? group : undefined;
}

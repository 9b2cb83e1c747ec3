import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../types';
import type { ClientFrame, ServerFrame } from './protocol';
import { FakeSocket } from './fake-socket';
import { PAGE, Realtime, type RealtimeDeps } from './store';

const ME = 'me-1', BOB = 'bob-1', CAT = 'cat-1', G_BOB = 'g-bob', G_CAT = 'g-cat';

const msg = (seq: number, from = BOB, group = G_BOB): ChatMessage => ({
  id: `m${group}${seq}`, seq, chatGroupId: group, fromProfileId: from, content: `hello ${seq}`, createdAt: new Date(seq * 1000).toISOString(),
});

const hello = (over: Partial<Extract<ServerFrame, { type: 'hello' }>> = {}): ServerFrame => ({
  type: 'hello', profileId: ME, connId: 'c1',
  privateChats: [{ chatGroupId: G_BOB, profileId: BOB, username: 'bob' }, { chatGroupId: G_CAT, profileId: CAT, username: 'cat' }],
  onlineFriends: [BOB], unreadConversationIds: [G_CAT], unreadNotificationsCount: 3, ...over,
});

const made: Realtime[] = [];

function setup(over: Partial<RealtimeDeps> = {}) {
  const sockets: FakeSocket[] = [];
  const history: Record<string, ChatMessage[]> = {};
  const fetchMessages = vi.fn(async (group: string, older?: ChatMessage, limit = PAGE) => {
    const all = (history[group] ?? []).filter((m) => !older || m.seq < older.seq);
    return all.slice(-limit).reverse(); // newest first, like the API
  });
  const rt = new Realtime({
    connect: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    fetchMessages,
    backoff: () => 10,
    ...over,
  });
  made.push(rt);
  rt.start();
  const sock = () => sockets[sockets.length - 1];
  return { rt, sockets, sock, history, fetchMessages };
}

/** show makes the tab visible or hidden, as the browser does when the user switches tabs. */
function show(visible: boolean) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(visible ? 'visible' : 'hidden');
  document.dispatchEvent(new Event('visibilitychange'));
}

/** focus gives the window the keyboard focus or takes it away. */
function focus(focused: boolean) {
  vi.spyOn(document, 'hasFocus').mockReturnValue(focused);
  window.dispatchEvent(new Event(focused ? 'focus' : 'blur'));
}

beforeEach(() => {
  vi.useFakeTimers();
  // jsdom's document never has focus on its own: the user is looking at the tab.
  vi.spyOn(document, 'hasFocus').mockReturnValue(true);
});
afterEach(() => {
  made.splice(0).forEach((rt) => rt.stop());
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('Realtime', () => {
  it('takes friends, presence and unread counts from hello', () => {
    const { rt, sock } = setup();
    expect(rt.state.status).toBe('connecting');
    sock().server(hello());
    expect(rt.state.status).toBe('online');
    expect(rt.state.friends.map((f) => f.username)).toEqual(['bob', 'cat']);
    expect([...rt.state.online]).toEqual([BOB]);
    expect([...rt.state.unreadConversations]).toEqual([G_CAT]);
    expect(rt.state.unreadNotifications).toBe(3);
  });

  it('tracks presence', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    sock().server({ type: 'presence', profileId: CAT, online: true });
    sock().server({ type: 'presence', profileId: BOB, online: false });
    expect([...rt.state.online]).toEqual([CAT]);
  });

  it('opens a box for a message from a friend, loads its history and marks it read', async () => {
    const { rt, sock, history, fetchMessages } = setup();
    sock().server(hello());
    history[G_BOB] = [msg(1), msg(2), msg(3)];
    sock().server({ type: 'chat.message', message: msg(3) });
    expect(rt.state.boxes).toEqual([{ groupId: G_BOB, collapsed: false, unread: 0 }]);
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].loaded).toBe(true));
    expect(fetchMessages).toHaveBeenCalledTimes(1);
    expect(rt.state.chats[G_BOB].messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(sock().frames('chat.read')).toEqual([{ type: 'chat.read', chatGroupId: G_BOB, seq: 3 }]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(false);
  });

  it('counts unread messages in a collapsed box', async () => {
    const { rt, sock } = setup();
    sock().server(hello({ unreadConversationIds: [] }));
    rt.openChat(G_BOB);
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].loaded).toBe(true));
    rt.toggleBox(G_BOB);
    sock().server({ type: 'chat.message', message: msg(1) });
    sock().server({ type: 'chat.message', message: msg(2) });
    sock().server({ type: 'chat.message', message: msg(2) }); // duplicate: ignored
    expect(rt.state.boxes[0]).toMatchObject({ collapsed: true, unread: 2 });
    expect(rt.state.chats[G_BOB].messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(true);
    rt.toggleBox(G_BOB);
    expect(rt.state.boxes[0]).toMatchObject({ collapsed: false, unread: 0 });
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(false);
    expect(sock().frames('chat.read').pop()).toEqual({ type: 'chat.read', chatGroupId: G_BOB, seq: 2 });
  });

  it('keeps a message to an open box unread while the tab is hidden, and marks it read when the tab is shown', async () => {
    const { rt, sock } = setup();
    sock().server(hello({ unreadConversationIds: [] }));
    rt.openChat(G_BOB);
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].loaded).toBe(true));
    show(false);
    sock().server({ type: 'chat.message', message: msg(1) });
    sock().server({ type: 'chat.message', message: msg(2) });
    expect(sock().frames('chat.read')).toEqual([]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(true);
    expect(rt.state.boxes).toEqual([{ groupId: G_BOB, collapsed: false, unread: 2 }]);
    show(true);
    expect(sock().frames('chat.read')).toEqual([{ type: 'chat.read', chatGroupId: G_BOB, seq: 2 }]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(false);
    expect(rt.state.boxes[0].unread).toBe(0);
  });

  it('keeps a message unread while the window has no focus, and marks it read on focus', async () => {
    const { rt, sock } = setup();
    sock().server(hello({ unreadConversationIds: [] }));
    rt.openChat(G_BOB);
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].loaded).toBe(true));
    focus(false);
    sock().server({ type: 'chat.message', message: msg(1) });
    expect(sock().frames('chat.read')).toEqual([]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(true);
    focus(true);
    expect(sock().frames('chat.read')).toEqual([{ type: 'chat.read', chatGroupId: G_BOB, seq: 1 }]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(false);
  });

  it('does not mark read a box that a message opened in a hidden tab, even after its history loads', async () => {
    const { rt, sock, history } = setup();
    sock().server(hello({ unreadConversationIds: [] }));
    show(false);
    history[G_BOB] = [msg(1), msg(2), msg(3)];
    sock().server({ type: 'chat.message', message: msg(3) });
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].loaded).toBe(true));
    expect(rt.state.boxes).toEqual([{ groupId: G_BOB, collapsed: false, unread: 1 }]);
    expect(sock().frames('chat.read')).toEqual([]);
    expect(rt.state.unreadConversations.has(G_BOB)).toBe(true);
    // A collapsed box stays unread when the tab comes back; the open one is read.
    rt.openChat(G_CAT);
    rt.toggleBox(G_CAT);
    sock().server({ type: 'chat.message', message: msg(9, CAT, G_CAT) });
    show(true);
    expect(sock().frames('chat.read')).toEqual([{ type: 'chat.read', chatGroupId: G_BOB, seq: 3 }]);
    expect([...rt.state.unreadConversations]).toEqual([G_CAT]);
  });

  it('in compact (phone) mode keeps new boxes collapsed and one box open', () => {
    const { rt, sock } = setup();
    rt.compact = true;
    sock().server(hello());
    sock().server({ type: 'chat.message', message: msg(1) });
    expect(rt.state.boxes).toEqual([{ groupId: G_BOB, collapsed: true, unread: 1 }]);
    rt.openChat(G_CAT);
    rt.openChat(G_BOB);
    expect(rt.state.boxes.map((b) => [b.groupId, b.collapsed])).toEqual([[G_BOB, false], [G_CAT, true]]);
  });

  it('shows typing for 4 s, and hides it when that member’s message arrives', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    rt.openChat(G_BOB);
    sock().server({ type: 'chat.typing', chatGroupId: G_BOB, profileId: BOB, username: 'bob' });
    expect(rt.state.chats[G_BOB].typing?.map((t) => t.username)).toEqual(['bob']);
    vi.advanceTimersByTime(3000);
    sock().server({ type: 'chat.typing', chatGroupId: G_BOB, profileId: BOB, username: 'bob' });
    vi.advanceTimersByTime(3000);
    expect(rt.state.chats[G_BOB].typing).toBeDefined(); // renewed by the second event
    vi.advanceTimersByTime(1001);
    expect(rt.state.chats[G_BOB].typing).toBeUndefined();
    sock().server({ type: 'chat.typing', chatGroupId: G_BOB, profileId: BOB, username: 'bob' });
    sock().server({ type: 'chat.message', message: msg(1) });
    expect(rt.state.chats[G_BOB].typing).toBeUndefined();
  });

  it('sends typing at most once per 3 s', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    rt.typing(G_BOB);
    rt.typing(G_BOB);
    vi.advanceTimersByTime(2999);
    rt.typing(G_BOB);
    expect(sock().frames('chat.typing')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    rt.typing(G_BOB);
    expect(sock().frames('chat.typing')).toHaveLength(2);
  });

  it('keeps a sent message pending until acknowledged, and marks a refused one', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    rt.send(G_BOB, 'hi bob');
    rt.send(G_BOB, '   '); // blank: ignored
    const [frame] = sock().frames('chat.send') as Extract<ClientFrame, { type: 'chat.send' }>[];
    expect(frame).toMatchObject({ chatGroupId: G_BOB, content: 'hi bob' });
    expect(rt.state.chats[G_BOB].pending).toHaveLength(1);
    sock().server({ type: 'chat.ack', id: frame.id, message: msg(1, ME) });
    expect(rt.state.chats[G_BOB].pending).toHaveLength(0);
    expect(rt.state.chats[G_BOB].messages.map((m) => m.content)).toEqual(['hello 1']);

    rt.send(G_BOB, 'again');
    const id = (sock().frames('chat.send')[1] as { id: string }).id;
    sock().server({ type: 'error', id, code: 'forbidden', message: 'not friends' });
    expect(rt.state.chats[G_BOB].pending[0]).toMatchObject({ content: 'again', error: 'not friends' });
  });

  it('reconnects, resumes after the last seq of each chat and resends pending messages', async () => {
    const { rt, sockets, sock } = setup();
    sock().server(hello());
    sock().server({ type: 'chat.message', message: msg(4) });
    sock().server({ type: 'chat.message', message: msg(7, CAT, G_CAT) });
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].loaded && rt.state.chats[G_CAT].loaded).toBe(true));
    rt.send(G_BOB, 'while offline');
    sock().drop();
    expect(rt.state.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(20);
    expect(sockets).toHaveLength(2);
    sock().server(hello());
    expect(sock().frames('resume')).toEqual([{ type: 'resume', chats: { [G_BOB]: 4, [G_CAT]: 7 } }]);
    expect(sock().frames('chat.send')).toMatchObject([{ content: 'while offline' }]);
    // The replay and a live duplicate of it are merged once.
    sock().server({ type: 'chat.message', message: msg(5) });
    sock().server({ type: 'chat.message', message: msg(5) });
    sock().server({ type: 'resume.done' });
    expect(rt.state.chats[G_BOB].messages.map((m) => m.seq)).toEqual([4, 5]);
  });

  it('updates the notification count and publishes notifications', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    const seen: string[] = [];
    rt.notifications$.subscribe((n) => seen.push(n.id));
    sock().server({
      type: 'notification', unreadCount: 4,
      notification: { id: 'n1', createdAt: '', profileId: ME, read: false, visited: false, data: { event: 'NEW_FRIEND', payload: {} } },
    });
    expect(rt.state.unreadNotifications).toBe(4);
    expect(seen).toEqual(['n1']);
    rt.notificationsRead(10);
    expect(rt.state.unreadNotifications).toBe(0);
  });

  it('adds and removes friends, closing a former friend’s box and publishing each change', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    const changes: unknown[] = [];
    rt.friendships$.subscribe((c) => changes.push(c));
    sock().server({ type: 'friend.added', chatGroupId: 'g-dan', profileId: 'dan', username: 'dan' });
    expect(rt.state.friends.map((f) => f.username)).toEqual(['bob', 'cat', 'dan']);
    rt.openChat(G_BOB);
    sock().server({ type: 'friend.removed', profileId: BOB });
    expect(rt.state.friends.map((f) => f.username)).toEqual(['cat', 'dan']);
    expect(rt.state.boxes).toEqual([]);
    expect(rt.state.online.has(BOB)).toBe(false);
    expect(changes).toEqual([{ profileId: 'dan', friend: true }, { profileId: BOB, friend: false }]);
  });

  it('joins and leaves group chats: names members from friends or GET, closes a left group’s box, publishes each change', async () => {
    const fetchGroup = vi.fn(async (id: string) => ({
      chatGroupId: id, name: 'Burrow', createdBy: BOB, createdAt: new Date(0).toISOString(),
      members: [{ profileId: ME, username: 'me' }, { profileId: BOB, username: 'bob' }, { profileId: 'eve', username: 'eve' }],
    }));
    const { rt, sock } = setup({ fetchGroup });
    sock().server(hello({ groupChats: [{ chatGroupId: 'g-1', name: 'Burrow', memberIds: [ME, BOB, 'eve'] }] }));
    expect(rt.groupById('g-1')?.members.map((m) => m.username)).toEqual(['', 'bob', '']);
    const changes: unknown[] = [];
    rt.memberships$.subscribe((c) => changes.push(c));
    rt.openChat('g-1'); // eve is not our friend: the group is fetched for her name
    await vi.waitFor(() => expect(rt.groupById('g-1')?.members.map((m) => m.username)).toEqual(['me', 'bob', 'eve']));
    expect(fetchGroup).toHaveBeenCalledTimes(1);
    sock().server({ type: 'group.added', chatGroupId: 'g-2', name: 'Meadow', members: [{ profileId: CAT, username: 'cat' }] });
    sock().server({ type: 'group.updated', chatGroupId: 'g-1', name: 'Warren', members: [{ profileId: ME, username: 'me' }, { profileId: BOB, username: 'bob' }] });
    expect(rt.state.groups.map((g) => g.name)).toEqual(['Warren', 'Meadow']);
    sock().server({ type: 'group.removed', chatGroupId: 'g-1' });
    expect(rt.state.groups.map((g) => g.name)).toEqual(['Meadow']);
    expect(rt.state.boxes).toEqual([]);
    expect(changes).toEqual([{ chatGroupId: 'g-2', member: true }, { chatGroupId: 'g-1', member: false }]);
  });

  it('takes the read pointers and unread counts of the newest conversations after hello', async () => {
    const conv = { content: 'x', createdAt: new Date(0).toISOString(), fromProfileId: BOB, fromProfileUsername: 'bob', readAt: null, seq: 3 };
    const fetchConversations = vi.fn(async () => [
      { ...conv, chatGroupId: G_CAT, chatGroupName: 'cat', kind: 'private' as const, unreadCount: 3, readSeqs: [{ profileId: CAT, seq: 2 }, { profileId: ME, seq: 0 }] },
    ]);
    const { rt, sock } = setup({ fetchConversations });
    sock().server(hello());
    await vi.waitFor(() => expect(rt.state.readSeqs).toEqual({ [G_CAT]: { [CAT]: 2 } }));
    expect(rt.state.unreadCounts).toEqual({ [G_CAT]: 3 });
    sock().server({ type: 'chat.seen', chatGroupId: G_CAT, profileId: CAT, seq: 3 });
    expect(rt.state.readSeqs[G_CAT][CAT]).toBe(3);
  });

  it('sends chat.react and applies the chat.reaction that answers it', async () => {
    const { rt, sock, history } = setup();
    sock().server(hello());
    history[G_BOB] = [msg(1)];
    rt.openChat(G_BOB);
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].messages).toHaveLength(1));
    rt.react(G_BOB, msg(1).id, '🥕');
    expect(sock().frames('chat.react')).toEqual([{ type: 'chat.react', id: `react:${G_BOB}:1`, chatGroupId: G_BOB, messageId: msg(1).id, emoji: '🥕' }]);
    sock().server({ type: 'chat.reaction', chatGroupId: G_BOB, messageId: msg(1).id, profileId: ME, emoji: '🥕', on: true });
    expect(rt.state.chats[G_BOB].messages[0].reactions).toEqual({ '🥕': [ME] });
  });

  it('loads older messages before the oldest one', async () => {
    const { rt, sock, history } = setup();
    sock().server(hello());
    history[G_BOB] = Array.from({ length: 45 }, (_, i) => msg(i + 1));
    rt.openChat(G_BOB);
    await vi.waitFor(() => expect(rt.state.chats[G_BOB].messages).toHaveLength(20));
    expect(rt.state.chats[G_BOB].hasMore).toBe(true);
    await rt.loadOlder(G_BOB);
    await rt.loadOlder(G_BOB);
    const c = rt.state.chats[G_BOB];
    expect(c.messages.map((m) => m.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(c.hasMore).toBe(false);
  });

  it('forgets everything on stop', () => {
    const { rt, sock } = setup();
    sock().server(hello());
    rt.stop();
    expect(sock().closed).toBe(true);
    expect(rt.state).toMatchObject({ status: 'idle', friends: [], unreadNotifications: 0 });
  });
});

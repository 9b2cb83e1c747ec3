import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatDock, ChatPanel, sortFriends } from './components/Chat';
import { seenMarks, typingText } from './components/ChatMessages';
import { Badge } from './components/Common';
import { ConversationList } from './components/Conversations';
import { PostCard } from './components/Posts';
import { RegisterPage, validate } from './pages/Auth';
import { notificationView } from './pages/Inbox';
import { ProfilePage } from './pages/Profile';
import { account$, realtime } from './session';
import type { Account, Notification, Post } from './types';

afterEach(() => {
  cleanup();
  realtime.stop();
  account$.next(undefined);
  vi.unstubAllGlobals();
});

const ME: Account = { id: 'me', username: 'me', email: 'me@bunny.test', role: 'USER' };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** serve stubs fetch: routes maps "METHOD /path" to a JSON answer; anything else is a 404. */
function serve(routes: Record<string, unknown>) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: URL | string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`;
    calls.push(key);
    return key in routes ? json(routes[key]) : json({ message: 'not found' }, 404);
  }));
  return calls;
}

describe('validate', () => {
  it.each([
    [{ email: 'a@b.co', username: 'bun.ny', password: '12345678' }, { email: '', username: '', password: '' }],
    [{ email: 'a@b', username: 'b', password: '1234567' }, { email: 'email must be valid', username: 'x', password: 'x' }],
    [{ email: 'a b@c.de', username: 'bun..ny', password: 'x'.repeat(65) }, { email: 'email must be valid', username: 'x', password: 'x' }],
    [{ email: 'ok@ok.org', username: '_bunny', password: 'password' }, { email: '', username: 'x', password: '' }],
    [{ email: 'ok@ok.org', username: 'a'.repeat(33), password: 'password' }, { email: '', username: 'x', password: '' }],
  ])('%j', (input, want) => {
    const got = validate(input);
    expect(got.email).toBe(want.email);
    expect(!!got.username).toBe(!!want.username);
    expect(!!got.password).toBe(!!want.password);
  });
});

describe('RegisterPage', () => {
  it('shows live validation messages and enables Register only when valid', () => {
    render(<MemoryRouter><RegisterPage /></MemoryRouter>);
    const button = screen.getByRole('button', { name: 'Register' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'nope' } });
    expect(screen.getByText('email must be valid')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'bun@ny.test' } });
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'bunny' } });
    fireEvent.change(screen.getByLabelText('Password', { exact: true }), { target: { value: 'carrots!' } });
    expect(screen.queryByText('email must be valid')).toBeNull();
    expect(button.disabled).toBe(false);
    expect(screen.getByRole('img', { name: 'Your new avatar' }).getAttribute('src')).toMatch(/^\/web\/avatar\//);
  });
});

describe('notificationView', () => {
  const n = (event: Notification['data']['event'], payload: Record<string, string>): Notification =>
    ({ id: '1', createdAt: '', profileId: 'me', read: false, visited: false, data: { event, payload } });
  const text = (v: ReturnType<typeof notificationView>) => render(<MemoryRouter>{v.text}</MemoryRouter>).container.textContent;

  it.each([
    [n('NEW_COMMENT_ON_POST', { byUsername: 'bob', postById: 'me', postByUsername: 'me', postId: 'p1', commentPreview: 'hi' }),
      'bob has commented your post: "hi"', '/post/p1'],
    [n('NEW_COMMENT_ON_POST', { byUsername: 'bob', postById: 'cat', postByUsername: 'cat', postId: 'p1', commentPreview: 'hi' }),
      "bob has commented cat's post: \"hi\"", '/post/p1'],
    [n('NEW_POST_ON_WALL', { byUsername: 'bob', postId: 'p2', postPreview: 'yo' }), 'bob has posted some new content on your wall: "yo"', '/post/p2'],
    [n('NEW_FRIEND', { profileId: 'b', profileUsername: 'bob' }), 'bob and you are now friends!', '/profile/b'],
    [n('NEW_LIKE_ON_POST', { byUsername: 'bob', postId: 'p3', postPreview: 'yo' }), 'bob likes your post: "yo"', '/post/p3'],
    [n('NEW_LIKE_ON_POST', { byUsername: 'bob', postId: 'p3', postPreview: 'yo', commentId: 'c1', commentPreview: 'hey' }),
      'bob likes your comment: "hey"', '/post/p3'],
    [n('NEW_FRIENDSHIP_REQUEST', { byId: 'b', byUsername: 'bob' }), 'bob sent you a friend request', '/profile/me/friends/INCOMING_FRIEND_REQUEST'],
  ])('%#', (notif, want, to) => {
    const v = notificationView(notif, 'me');
    expect(text(v)).toBe(want);
    expect(v.to).toBe(to);
  });
});

describe('ChatPanel', () => {
  it('lists friends online first, then by name, live from the realtime store', () => {
    render(<MemoryRouter><ChatPanel /></MemoryRouter>);
    act(() => realtime.handle({
      type: 'hello', profileId: 'me', connId: 'c',
      privateChats: [
        { chatGroupId: 'g1', profileId: 'p1', username: 'zed' },
        { chatGroupId: 'g2', profileId: 'p2', username: 'amy' },
        { chatGroupId: 'g3', profileId: 'p3', username: 'bob' },
      ],
      onlineFriends: ['p1'], unreadConversationIds: ['g3'], unreadNotificationsCount: 0,
    }));
    const names = () => screen.getAllByRole('button', { name: /^Chat with/ }).map((b) => b.getAttribute('aria-label'));
    expect(names()).toEqual([
      'Chat with zed (online)', 'Chat with amy (offline)', 'Chat with bob (offline, unread messages)',
    ]);
    act(() => realtime.handle({ type: 'presence', profileId: 'p2', online: true }));
    expect(names()[0]).toBe('Chat with amy (online)');
  });

  it('sortFriends keeps the input untouched', () => {
    const input = [{ chatGroupId: 'a', profileId: 'a', username: 'b' }, { chatGroupId: 'b', profileId: 'b', username: 'a' }];
    expect(sortFriends(input, new Set()).map((f) => f.username)).toEqual(['a', 'b']);
    expect(input[0].username).toBe('b');
  });
});

describe('ChatDock', () => {
  it('names the friend once in an open chat box, in its header', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('[]', { headers: { 'Content-Type': 'application/json' } })));
    render(<MemoryRouter><ChatDock /></MemoryRouter>);
    act(() => realtime.handle({
      type: 'hello', profileId: 'me', connId: 'c',
      privateChats: [{ chatGroupId: 'g1', profileId: 'p1', username: 'zed' }],
      onlineFriends: ['p1'], unreadConversationIds: [], unreadNotificationsCount: 0,
    }));
    act(() => realtime.openChat('g1'));
    await screen.findByText('Say hello to zed!');
    const box = screen.getByRole('region', { name: /chat with zed/ });
    const header = within(box).getByRole('button', { name: /Minimize chat with zed/ });
    expect(within(box).getAllByText('zed', { exact: true })).toEqual([within(header).getByText('zed', { exact: true })]);
    // The friend's profile is still one click away, from the avatar in the header.
    expect(within(box).getByRole('link', { name: 'zed’s profile' }).getAttribute('href')).toBe('/profile/p1');
    expect(screen.getByRole('textbox', { name: 'Message to zed' })).toBeTruthy();
  });
});

describe('seenMarks', () => {
  const m = (seq: number, from: string) => ({ id: `m${seq}`, seq, chatGroupId: 'g', fromProfileId: from, content: '', createdAt: '' });
  const msgs = [m(1, 'me'), m(2, 'amy'), m(3, 'me'), m(4, 'me')];
  it.each([
    [{}, []],
    [{ bob: 3 }, [[3, ['bob']]]],
    [{ bob: 9 }, [[4, ['bob']]]], // beyond what is loaded: the newest loaded message
    [{ bob: 4, cat: 4, me: 4 }, [[4, ['bob', 'cat']]]], // never ourselves
    [{ amy: 2 }, []], // one's own message needs no "Seen"
    [{ amy: 3, bob: 1, cat: 0 }, [[3, ['amy']], [1, ['bob']]]],
  ])('%j', (readSeqs, want) => {
    expect([...seenMarks(msgs, readSeqs, 'me')]).toEqual(want);
  });
});

describe('typingText', () => {
  it.each([
    [['amy'], 'amy is typing'],
    [['amy', 'bob'], 'amy and bob are typing'],
    [['amy', 'bob', 'cat'], 'amy, bob and 1 other are typing'],
    [['amy', 'bob', 'cat', 'dan'], 'amy, bob and 2 others are typing'],
  ])('%j', (names, want) => {
    expect(typingText(names)).toBe(want);
  });
});

describe('a group chat box', () => {
  it('names senders, shows reactions that toggle and who has seen the last message', async () => {
    serve({
      'GET /web/chat/g9/messages': [
        { id: 'm2', seq: 2, chatGroupId: 'g9', fromProfileId: 'me', content: 'Carrots?', createdAt: new Date().toISOString(), reactions: { '🥕': ['p1', 'me'] } },
        { id: 'm1', seq: 1, chatGroupId: 'g9', fromProfileId: 'p1', content: 'Hi burrow', createdAt: new Date().toISOString(), reactions: {} },
      ],
    });
    render(<MemoryRouter><ChatDock /></MemoryRouter>);
    act(() => realtime.handle({
      type: 'hello', profileId: 'me', connId: 'c', groupChats: [{ chatGroupId: 'g9', name: 'Burrow', memberIds: ['me', 'p1', 'p2'] }],
      privateChats: [{ chatGroupId: 'g1', profileId: 'p1', username: 'zed' }, { chatGroupId: 'g2', profileId: 'p2', username: 'amy' }],
      onlineFriends: [], unreadConversationIds: [], unreadNotificationsCount: 0,
    }));
    act(() => realtime.openChat('g9'));
    const log = await screen.findByRole('log', { name: 'Messages in Burrow' });
    await within(log).findByText('Carrots?');
    expect(log.querySelector('.msg-sender')?.textContent).toBe('zed');
    const chip = within(log).getByRole('button', { name: '🥕 2, yours: remove it' });
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    act(() => realtime.handle({ type: 'chat.seen', chatGroupId: 'g9', profileId: 'p2', seq: 2 }));
    act(() => realtime.handle({ type: 'chat.seen', chatGroupId: 'g9', profileId: 'p1', seq: 2 }));
    expect(within(log).getByText('Seen by amy, zed')).toBeTruthy();
    act(() => realtime.handle({ type: 'chat.typing', chatGroupId: 'g9', profileId: 'p2', username: 'amy' }));
    expect(screen.getByText('amy is typing')).toBeTruthy();
    act(() => realtime.handle({ type: 'chat.reaction', chatGroupId: 'g9', messageId: 'm2', profileId: 'me', emoji: '🥕', on: false }));
    expect(within(log).getByRole('button', { name: '🥕 1: add yours' }).getAttribute('aria-pressed')).toBe('false');
  });
});

describe('ConversationList', () => {
  it('shows previews, moves a conversation with a new message to the top and counts it unread', async () => {
    const at = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    serve({
      'GET /web/profiles/me/conversations': [
        { chatGroupId: 'g1', chatGroupName: 'zed', content: 'See you', createdAt: at(5), fromProfileId: 'me', fromProfileUsername: 'me', readAt: null, seq: 4 },
        { chatGroupId: 'g2', chatGroupName: 'amy', content: 'Hi!', createdAt: at(9), fromProfileId: 'p2', fromProfileUsername: 'amy', readAt: null, seq: 1 },
      ],
    });
    render(<MemoryRouter><ConversationList me={ME} /></MemoryRouter>);
    act(() => realtime.handle({
      type: 'hello', profileId: 'me', connId: 'c',
      privateChats: [{ chatGroupId: 'g1', profileId: 'p1', username: 'zed' }, { chatGroupId: 'g2', profileId: 'p2', username: 'amy' }],
      onlineFriends: ['p2'], unreadConversationIds: ['g2'], unreadNotificationsCount: 0,
    }));
    const rows = () => screen.getAllByRole('button', { name: /^Conversation/ }).map((b) => b.getAttribute('aria-label')!.replace(/, [^,]*$/, ''));
    await screen.findByText('You: See you');
    expect(rows()).toEqual(['Conversation with zed: You: See you', 'Conversation with amy, unread: amy: Hi!']);
    for (const seq of [2, 3]) {
      act(() => realtime.handle({ type: 'chat.message', message: { id: `m${seq}`, seq, chatGroupId: 'g2', fromProfileId: 'p2', content: `news ${seq}`, createdAt: at(0) } }));
    }
    expect(rows()).toEqual(['Conversation with amy, 2 unread messages: amy: news 3', 'Conversation with zed: You: See you']);
    // An older message (history the list loaded after it) does not replace the preview.
    act(() => realtime.handle({ type: 'chat.message', message: { id: 'm1', seq: 1, chatGroupId: 'g2', fromProfileId: 'p2', content: 'Hi!', createdAt: at(9) } }));
    expect(rows()[0]).toMatch(/: amy: news 3$/);
    act(() => realtime.markConversationRead('g2'));
    expect(rows()[0]).toBe('Conversation with amy: amy: news 3');
  });
});

describe('PostCard', () => {
  const post: Post = {
    id: 'p1', content: 'Carrots!', createdAt: new Date().toISOString(), updatedAt: null, wallProfileId: 'me', profileId: 'me',
    privacy: 'FRIENDS', commentsCount: 0, likesCount: 0, likedByMe: false, username: 'me',
  };

  it('shows a comment one adds without a "Comments: 1" button above it', async () => {
    account$.next(ME);
    serve({ 'POST /web/posts/p1/comments': { id: 'c1', content: 'First!', createdAt: new Date().toISOString(), postId: 'p1', profileId: 'me', username: 'me' } });
    render(<MemoryRouter><PostCard post={post} onDeleted={() => {}} /></MemoryRouter>);
    const input = screen.getByLabelText('Add a comment');
    fireEvent.change(input, { target: { value: 'First!' } });
    fireEvent.submit(input.closest('form')!);
    await screen.findByText('First!');
    expect(screen.queryByRole('button', { name: /^Comments|Load more comments/ })).toBeNull();
  });

  it('offers the comments of a post it has not loaded, then only older ones', async () => {
    account$.next(ME);
    const comment = (i: number) => ({ id: `c${i}`, content: `comment ${i}`, createdAt: new Date(i * 1000).toISOString(), postId: 'p1', profileId: 'me', username: 'me' });
    serve({ 'GET /web/posts/p1/comments': [5, 4, 3, 2, 1].map(comment) });
    render(<MemoryRouter><PostCard post={{ ...post, commentsCount: 6 }} onDeleted={() => {}} /></MemoryRouter>);
    fireEvent.click(screen.getByRole('button', { name: 'Comments: 6' }));
    await screen.findByText('comment 5');
    expect(screen.getByRole('button', { name: 'Load more comments...' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Comments/ })).toBeNull();
  });

  it('likes a post at once, then shows the server\'s count', async () => {
    account$.next(ME);
    const calls = serve({ 'PUT /web/posts/p1/like': null, 'GET /web/posts/p1': { ...post, likesCount: 3, likedByMe: true } });
    render(<MemoryRouter><PostCard post={post} onDeleted={() => {}} /></MemoryRouter>);
    fireEvent.click(screen.getByRole('button', { name: 'Like post, 0 likes' }));
    expect(screen.getByRole('button', { name: 'Like post, 1 like' }).getAttribute('aria-pressed')).toBe('true');
    await screen.findByRole('button', { name: 'Like post, 3 likes' });
    expect(calls).toEqual(['PUT /web/posts/p1/like', 'GET /web/posts/p1']);
  });

  it('takes a like back when the server refuses it', async () => {
    account$.next(ME);
    serve({});
    render(<MemoryRouter><PostCard post={{ ...post, likesCount: 2, likedByMe: true }} onDeleted={() => {}} /></MemoryRouter>);
    fireEvent.click(screen.getByRole('button', { name: 'Like post, 2 likes' }));
    expect(screen.getByRole('button', { name: 'Like post, 1 like' }).getAttribute('aria-pressed')).toBe('false');
    const button = await screen.findByRole('button', { name: 'Like post, 2 likes' });
    expect(button.getAttribute('aria-pressed')).toBe('true');
  });

  it('says in words who can see the post', () => {
    render(<MemoryRouter><PostCard post={post} onDeleted={() => {}} /></MemoryRouter>);
    expect(screen.getByText('Friends only').className).not.toMatch(/sr-only/);
  });
});

describe('ProfilePage', () => {
  it('follows friendships that begin and end while it is shown', async () => {
    account$.next(ME);
    serve({
      'GET /web/profiles/bob': { id: 'bob', username: 'bob' },
      'GET /web/profiles/me/relationships/bob': 'OUTGOING_FRIEND_REQUEST',
      'GET /web/posts': [],
    });
    render(
      <MemoryRouter initialEntries={['/profile/bob']}>
        <Routes><Route path="/profile/:profileId?" element={<ProfilePage />} /></Routes>
      </MemoryRouter>,
    );
    await screen.findByRole('button', { name: 'Cancel friend request' });
    act(() => realtime.handle({ type: 'friend.added', chatGroupId: 'g-bob', profileId: 'bob', username: 'bob' }));
    await screen.findByRole('button', { name: 'Remove friend' });
    expect(screen.queryByRole('button', { name: 'Cancel friend request' })).toBeNull();
    act(() => realtime.handle({ type: 'friend.removed', profileId: 'bob' }));
    await screen.findByRole('button', { name: 'Add friend' });
    // A request from bob arrives as a notification.
    act(() => realtime.handle({
      type: 'notification', unreadCount: 1,
      notification: { id: 'n1', createdAt: '', profileId: 'me', read: false, visited: false,
        data: { event: 'NEW_FRIENDSHIP_REQUEST', payload: { byId: 'bob', byUsername: 'bob' } } },
    }));
    await screen.findByRole('button', { name: 'Accept friend request' });
  });
});

describe('Badge', () => {
  it.each([[0, null], [3, '3'], [120, '99+']])('%i', (n, want) => {
    const { container } = render(<Badge n={n} label="things" />);
    expect(container.textContent || null).toBe(want);
  });
});

// @vitest-environment node
// The connection alone, with a stand-in socket and fake timers: no DOM, no chats.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection, PING_EVERY_MS, TOO_MANY_RETRY_MS, type ConnectionDeps, type ConnectionStatus } from './connection';
import { FakeSocket } from './fake-socket';
import type { ClientFrame, ServerFrame } from './protocol';

const hello: ServerFrame = { type: 'hello', profileId: 'me', connId: 'c', privateChats: [], onlineFriends: [], unreadConversationIds: [], unreadNotificationsCount: 0 };

const made: Connection[] = [];

function setup(over: Partial<ConnectionDeps> = {}) {
  const sockets: FakeSocket[] = [];
  const conn = new Connection({
    connect: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    backoff: () => 10,
    ...over,
  });
  made.push(conn);
  const statuses: ConnectionStatus[] = [];
  const frames: ServerFrame[] = [];
  conn.status$.subscribe((s) => statuses.push(s));
  conn.frames$.subscribe((f) => frames.push(f));
  conn.start();
  return { conn, sockets, sock: () => sockets[sockets.length - 1], statuses, frames };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  made.splice(0).forEach((c) => c.stop());
  vi.useRealTimers();
});

describe('Connection', () => {
  it('is connecting until hello, then online; it publishes frames and sends only after hello', () => {
    const { conn, sock, statuses, frames } = setup();
    expect(statuses.map((s) => s.status)).toEqual(['idle', 'connecting']);
    expect(conn.send({ type: 'ping' })).toBe(false);
    sock().server(hello);
    sock().server({ type: 'presence', profileId: 'bob', online: true });
    expect(statuses.at(-1)).toEqual({ status: 'online' });
    expect(frames.map((f) => f.type)).toEqual(['hello', 'presence']);
    expect(conn.send({ type: 'ping' })).toBe(true);
    expect(sock().sent).toEqual([{ type: 'ping' }]);
  });

  it('after every hello sends the resume frames, asked for after the hello is published', () => {
    const order: string[] = [];
    const resume: ClientFrame[] = [{ type: 'resume', chats: { g: 4 } }, { type: 'chat.send', id: 'x', chatGroupId: 'g', content: 'hi' }];
    const { sock, frames } = setup({ resumeFrames: () => (order.push(`asked after ${frames.length} frame(s)`), resume) });
    sock().server(hello);
    expect(order).toEqual(['asked after 1 frame(s)']);
    expect(sock().sent).toEqual(resume);
  });

  it('pings every 25 s', () => {
    const { sock } = setup();
    sock().server(hello);
    vi.advanceTimersByTime(PING_EVERY_MS * 2);
    expect(sock().frames('ping')).toHaveLength(2);
  });

  it('reconnects with backoff after a drop, without renewing a session that was welcomed', async () => {
    const renew = vi.fn().mockResolvedValue(true);
    const backoff = vi.fn((_attempt: number) => 10);
    const { sockets, sock, statuses } = setup({ renewSession: renew, backoff });
    sock().server(hello);
    sock().drop();
    expect(statuses.at(-1)).toEqual({ status: 'offline', offlineReason: undefined });
    await vi.advanceTimersByTimeAsync(20);
    expect(sockets).toHaveLength(2);
    expect(renew).not.toHaveBeenCalled();
    sock().drop(); // refused before hello: attempt 1, after a renewal
    await vi.advanceTimersByTimeAsync(20);
    expect(backoff.mock.calls.map((c) => c[0])).toEqual([0, 1]);
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it('renews the session when refused before hello, and gives up when logged out', async () => {
    const renew = vi.fn().mockResolvedValueOnce(true).mockResolvedValueOnce(false);
    const { sockets, sock } = setup({ renewSession: renew });
    sock().drop();
    await vi.advanceTimersByTimeAsync(20);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(sockets).toHaveLength(2);
    sock().drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(renew).toHaveBeenCalledTimes(2);
    expect(sockets).toHaveLength(2);
  });

  it('waits a minute before reconnecting when refused for too many connections (4029), and says why', async () => {
    const renew = vi.fn().mockResolvedValue(true);
    const { sockets, sock, statuses } = setup({ renewSession: renew });
    sock().drop(4029);
    expect(statuses.at(-1)?.status).toBe('offline');
    expect(statuses.at(-1)?.offlineReason).toMatch(/too many/i);
    await vi.advanceTimersByTimeAsync(TOO_MANY_RETRY_MS - 100);
    expect(sockets).toHaveLength(1); // no reconnect loop, no session renewal
    expect(renew).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    sock().drop(4029); // still too many: again a minute, not the short backoff
    await vi.advanceTimersByTimeAsync(TOO_MANY_RETRY_MS - 100);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    sock().server(hello);
    expect(statuses.at(-1)).toEqual({ status: 'online' });
  });

  it('reconnect replaces the socket at once; stop closes it for good', async () => {
    const { conn, sockets, statuses } = setup();
    sockets[0].server(hello);
    conn.reconnect();
    expect(sockets).toHaveLength(2);
    expect(sockets[0].closed).toBe(true);
    sockets[0].server({ type: 'pong' }); // the old socket is not listened to any more
    conn.stop();
    expect(sockets[1].closed).toBe(true);
    expect(statuses.at(-1)).toEqual({ status: 'idle' });
    sockets[1].drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
  });
});

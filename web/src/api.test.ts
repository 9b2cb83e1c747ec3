import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, onSessionLost, refresh, request } from './api';

// These tests stand in for the server with a scripted fetch; the real
// server is exercised by the end-to-end suite.

interface Call { method: string; path: string; csrf: string | null; type: string | null }

function script(handler: (c: Call) => { status: number; body?: unknown; setCsrf?: string }) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: URL | string, init: RequestInit = {}) => {
    const u = new URL(String(url), window.location.origin);
    const headers = (init.headers ?? {}) as Record<string, string>;
    const call = {
      method: init.method ?? 'GET', path: u.pathname + u.search, csrf: headers['X-CSRF-Token'] ?? null, type: headers['Content-Type'] ?? null,
    };
    calls.push(call);
    await new Promise((r) => setTimeout(r, 1));
    const r = handler(call);
    if (r.setCsrf) document.cookie = `csrf_token=${r.setCsrf}; path=/`;
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status });
  }));
  return calls;
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; path=/';
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'csrf_token=; path=/; max-age=0';
});

describe('request', () => {
  it('sends the csrf_token cookie on state-changing requests only', async () => {
    const calls = script(() => ({ status: 200, body: [] }));
    await api.createComment('p1', 'hi');
    await api.comments('p1', { older_than: '2026-01-01T00:00:00.000Z', before_id: 'c9' });
    expect(calls[0]).toEqual({ method: 'POST', path: '/web/posts/p1/comments', csrf: 'c1', type: 'application/json' });
    expect(calls[1]).toEqual({
      method: 'GET', path: '/web/posts/p1/comments?limit=5&older_than=2026-01-01T00%3A00%3A00.000Z&before_id=c9', csrf: null, type: null,
    });
  });

  // The server refuses the auth endpoints without it (415), body or not:
  // an HTML form of another site cannot send it.
  it('declares JSON on logout and refresh, which have no body', async () => {
    const calls = script((c) => (c.path === '/web/refresh' ? { status: 200, body: {}, setCsrf: 'c2' } : { status: 204 }));
    await api.logout();
    await refresh();
    expect(calls.map((c) => [c.path, c.type])).toEqual([
      ['/web/logout', 'application/json'],
      ['/web/refresh', 'application/json'],
    ]);
  });

  it('refreshes once on 401 for concurrent requests, then retries', async () => {
    let fresh = false;
    const calls = script((c) => {
      if (c.path === '/web/refresh') {
        fresh = true;
        return { status: 200, body: {}, setCsrf: 'c2' };
      }
      return fresh ? { status: 200, body: { ok: c.path } } : { status: 401, body: { message: 'expired' } };
    });
    const got = await Promise.all([request('/web/me'), request('/web/posts?x=1'), request('/web/me')]);
    expect(got).toEqual([{ ok: '/web/me' }, { ok: '/web/posts?x=1' }, { ok: '/web/me' }]);
    expect(calls.filter((c) => c.path === '/web/refresh')).toHaveLength(1);
  });

  it('reports a failed refresh as a lost session', async () => {
    script((c) => (c.path === '/web/refresh' ? { status: 401 } : { status: 401, body: { message: 'sign in first' } }));
    const lost = vi.fn();
    const off = onSessionLost(lost);
    await expect(api.me()).rejects.toMatchObject({ status: 401, message: 'sign in first' });
    expect(lost).toHaveBeenCalledTimes(1);
    off();
  });

  it('gives the field of a registration conflict', async () => {
    script(() => ({ status: 409, body: { message: 'username already taken', code: 'UsernameAlreadyTaken', error: { field: 'username' } } }));
    const err = await api.register({ email: 'a@b.co', username: 'bun', password: 'x'.repeat(8), avatarIdentifier: 's' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.field, err.message]).toEqual([409, 'username', 'username already taken']);
  });

  it('pages suggestions by mutual count and username', async () => {
    const calls = script(() => ({ status: 200, body: [] }));
    await api.suggestions('me', { id: 'x', username: 'bob', mutualFriendsCount: 3 });
    expect(calls[0].path).toBe('/web/profiles/me/friend_suggestions?username_gt=bob&mutual_count=3&limit=20');
  });
});

// REST client. Tokens live in HttpOnly cookies only; state-changing requests
// carry the readable csrf_token cookie in X-CSRF-Token. A 401 triggers one
// refresh (serialized across tabs) and one retry.

import type { paths } from './api-types';
import type { Conversation, Privacy, Registration, Suggestion } from './types';

/** Method is an HTTP method the OpenAPI document defines for path P. */
type Method<P extends keyof paths> = { [M in keyof paths[P]]: paths[P][M] extends { responses: unknown } ? M : never }[keyof paths[P]];
type Success<R> = R extends { 200: infer X } ? X : R extends { 201: infer X } ? X : R extends { 204: infer X } ? X : never;
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : void;
/**
 * Ok is the JSON of the success answer of `M P` in the generated API types
 * (void when it has none), so a call names its endpoint and an endpoint
 * the server dropped or changed fails the type check.
 */
type Ok<P extends keyof paths, M extends Method<P>> = paths[P][M] extends { responses: infer R } ? Json<Success<R>> : never;

/** ApiError is a failed request: its status and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
  /** field is the form field a 409 names (`error.field`), if any. */
  get field(): string | undefined {
    const b = this.body as { error?: { field?: string } } | undefined;
    return b?.error?.field;
  }
}

/** readCookie returns a cookie's value, or '' when it is not set. */
export function readCookie(name: string): string {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return '';
}

let refreshing: Promise<boolean> | null = null;
const sessionLost = new Set<() => void>();
const sessionRenewed = new Set<() => void>();

/** onSessionRenewed registers a callback for after a successful refresh. */
export function onSessionRenewed(fn: () => void): () => void {
  sessionRenewed.add(fn);
  return () => sessionRenewed.delete(fn);
}

/** onSessionLost registers a callback for when a refresh fails. */
export function onSessionLost(fn: () => void): () => void {
  sessionLost.add(fn);
  return () => sessionLost.delete(fn);
}

/**
 * refresh rotates the session once. Refreshes are serialized across tabs
 * with a Web Lock: a refresh token presented twice revokes the session, so
 * a tab that waited checks whether another tab already rotated it (the
 * csrf_token cookie changes with every rotation).
 */
export function refresh(): Promise<boolean> {
  if (refreshing) return refreshing;
  const before = readCookie('csrf_token');
  const run = async (): Promise<boolean> => {
    const now = readCookie('csrf_token');
    // The csrf_token cookie lives exactly as long as the refresh token:
    // without it there is no session to renew.
    if (!now) return false;
    if (now !== before) return true; // another tab refreshed meanwhile
    // No body, but the server wants it declared JSON (else 415), so that
    // other sites cannot post to it without a CORS preflight.
    const res = await fetch('/web/refresh', {
      method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': now, 'Content-Type': 'application/json' },
    });
    return res.ok;
  };
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  refreshing = (locks ? locks.request('bunny-refresh', run) : run())
    .catch(() => false)
    .then((ok) => {
      (ok ? sessionRenewed : sessionLost).forEach((fn) => fn());
      return ok;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

interface RequestOptions { method?: string; body?: unknown; query?: Record<string, string | number | undefined>; retry?: boolean }

/** request sends one API call and decodes its JSON answer. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { Accept: 'application/json' };
  // State-changing requests declare JSON even without a body: the auth
  // endpoints (logout) refuse them otherwise (415).
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = readCookie('csrf_token');
    headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, credentials: 'same-origin', body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch {
    throw new ApiError(0, 'Cannot reach Bunnybook. Check your connection and try again.');
  }
  if (res.status === 401 && opts.retry !== false && path !== '/web/login' && path !== '/web/refresh') {
    if (await refresh()) return request<T>(path, { ...opts, retry: false });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, body), body);
  return body as T;
}

function errorMessage(status: number, body: unknown): string {
  const b = body as { message?: string; detail?: unknown } | undefined;
  if (b?.message) return b.message;
  if (typeof b?.detail === 'string') return b.detail;
  if (status === 429) return 'Too many requests: slow down a little.';
  if (status >= 500) return 'The server had a problem. Try again in a moment.';
  return `Request failed (${status})`;
}

/** Cursor of time-ordered lists: the last item's createdAt and id. */
export interface TimeCursor { older_than?: string; before_id?: string }
export const timeCursor = (item?: { createdAt: string; id: string }): TimeCursor =>
  item ? { older_than: item.createdAt, before_id: item.id } : {};

const enc = encodeURIComponent;

/** api lists every endpoint the UI uses. */
export const api = {
  me: () => request<Ok<'/web/me', 'get'>>('/web/me'),
  login: (email: string, password: string) => request<Ok<'/web/login', 'post'>>('/web/login', { method: 'POST', body: { email, password } }),
  logout: () => request<Ok<'/web/logout', 'post'>>('/web/logout', { method: 'POST', retry: false }),
  register: (b: Registration) => request<Ok<'/web/register', 'post'>>('/web/register', { method: 'POST', body: b }),

  profile: (id: string) => request<Ok<'/web/profiles/{profile_id}', 'get'>>(`/web/profiles/${enc(id)}`),
  searchProfiles: (q: string) => request<Ok<'/web/profiles', 'get'>>('/web/profiles', { query: { username_query: q } }),
  relationship: (me: string, other: string) =>
    request<Ok<'/web/profiles/{profile_id}/relationships/{other_profile_id}', 'get'>>(`/web/profiles/${enc(me)}/relationships/${enc(other)}`),

  wallPosts: (wall: string, c: TimeCursor, limit = 10) =>
    request<Ok<'/web/posts', 'get'>>('/web/posts', { query: { wall_profile_id: wall, limit, ...c } }),
  post: (id: string) => request<Ok<'/web/posts/{post_id}', 'get'>>(`/web/posts/${enc(id)}`),
  createPost: (content: string, privacy: Privacy, wallProfileId?: string) =>
    request<Ok<'/web/posts', 'post'>>('/web/posts', { method: 'POST', body: { content, privacy, wallProfileId } }),
  deletePost: (id: string) => request<Ok<'/web/posts/{post_id}', 'delete'>>(`/web/posts/${enc(id)}`, { method: 'DELETE' }),
  setPostLike: (post: string, on: boolean) =>
    request<Ok<'/web/posts/{post_id}/like', 'put'>>(`/web/posts/${enc(post)}/like`, { method: on ? 'PUT' : 'DELETE' }),
  setCommentLike: (post: string, comment: string, on: boolean) =>
    request<Ok<'/web/posts/{post_id}/comments/{comment_id}/like', 'put'>>(
      `/web/posts/${enc(post)}/comments/${enc(comment)}/like`, { method: on ? 'PUT' : 'DELETE' }),
  comments: (post: string, c: TimeCursor, limit = 5) =>
    request<Ok<'/web/posts/{post_id}/comments', 'get'>>(`/web/posts/${enc(post)}/comments`, { query: { limit, ...c } }),
  createComment: (post: string, content: string) =>
    request<Ok<'/web/posts/{post_id}/comments', 'post'>>(`/web/posts/${enc(post)}/comments`, { method: 'POST', body: { content } }),

  friends: (id: string, after?: string, limit = 20) =>
    request<Ok<'/web/profiles/{profile_id}/friends', 'get'>>(`/web/profiles/${enc(id)}/friends`, { query: { username_gt: after, limit } }),
  mutualFriends: (me: string, other: string, after?: string, limit = 20) =>
    request<Ok<'/web/profiles/{profile_id}/friends/{friend_profile_id}/mutual_friends', 'get'>>(
      `/web/profiles/${enc(me)}/friends/${enc(other)}/mutual_friends`, { query: { username_gt: after, limit } }),
  friendRequests: (me: string, direction: 'incoming' | 'outgoing', after?: string, limit = 20) =>
    request<Ok<'/web/profiles/{profile_id}/friend_requests', 'get'>>(`/web/profiles/${enc(me)}/friend_requests`, { query: { direction, username_gt: after, limit } }),
  suggestions: (me: string, last?: Suggestion, limit = 20) =>
    request<Ok<'/web/profiles/{profile_id}/friend_suggestions', 'get'>>(`/web/profiles/${enc(me)}/friend_suggestions`, {
      query: { username_gt: last?.username, mutual_count: last?.mutualFriendsCount, limit },
    }),
  sendRequest: (me: string, to: string) =>
    request<Ok<'/web/profiles/{profile_id}/outgoing_friend_requests/{target_profile_id}', 'post'>>(
      `/web/profiles/${enc(me)}/outgoing_friend_requests/${enc(to)}`, { method: 'POST' }),
  cancelRequest: (me: string, to: string) =>
    request<Ok<'/web/profiles/{profile_id}/outgoing_friend_requests/{target_profile_id}', 'delete'>>(
      `/web/profiles/${enc(me)}/outgoing_friend_requests/${enc(to)}`, { method: 'DELETE' }),
  rejectRequest: (me: string, from: string) =>
    request<Ok<'/web/profiles/{profile_id}/incoming_friend_requests/{requester_profile_id}', 'delete'>>(
      `/web/profiles/${enc(me)}/incoming_friend_requests/${enc(from)}`, { method: 'DELETE' }),
  acceptRequest: (me: string, from: string) =>
    request<Ok<'/web/profiles/{profile_id}/friends/{requester_profile_id}', 'post'>>(`/web/profiles/${enc(me)}/friends/${enc(from)}`, { method: 'POST' }),
  unfriend: (me: string, friend: string) =>
    request<Ok<'/web/profiles/{profile_id}/friends/{friend_profile_id}', 'delete'>>(`/web/profiles/${enc(me)}/friends/${enc(friend)}`, { method: 'DELETE' }),

  notifications: (me: string, c: TimeCursor, limit = 10) =>
    request<Ok<'/web/profiles/{profile_id}/notifications', 'get'>>(`/web/profiles/${enc(me)}/notifications`, { query: { limit, ...c } }),
  markNotifications: (me: string, ids: string[], flags: { read?: boolean; visited?: boolean }) =>
    request<Ok<'/web/profiles/{profile_id}/notifications', 'patch'>>(`/web/profiles/${enc(me)}/notifications`, {
      method: 'PATCH', body: ids, query: { read: flags.read?.toString(), visited: flags.visited?.toString() },
    }),

  conversations: (me: string, last?: Conversation, limit = 10) =>
    request<Ok<'/web/profiles/{profile_id}/conversations', 'get'>>(`/web/profiles/${enc(me)}/conversations`, {
      query: { limit, older_than: last?.createdAt, before_id: last?.chatGroupId },
    }),
  group: (id: string) => request<Ok<'/web/chat/groups/{chat_group_id}', 'get'>>(`/web/chat/groups/${enc(id)}`),
  createGroup: (name: string, memberIds: string[]) =>
    request<Ok<'/web/chat/groups', 'post'>>('/web/chat/groups', { method: 'POST', body: { name, memberIds } }),
  renameGroup: (id: string, name: string) =>
    request<Ok<'/web/chat/groups/{chat_group_id}', 'patch'>>(`/web/chat/groups/${enc(id)}`, { method: 'PATCH', body: { name } }),
  addGroupMember: (id: string, profileId: string) =>
    request<Ok<'/web/chat/groups/{chat_group_id}/members', 'post'>>(`/web/chat/groups/${enc(id)}/members`, { method: 'POST', body: { profileId } }),
  removeGroupMember: (id: string, profileId: string) =>
    request<Ok<'/web/chat/groups/{chat_group_id}/members/{profile_id}', 'delete'>>(
      `/web/chat/groups/${enc(id)}/members/${enc(profileId)}`, { method: 'DELETE' }),
  messages: (group: string, c: TimeCursor, limit = 20) =>
    request<Ok<'/web/chat/{chat_group_id}/messages', 'get'>>(`/web/chat/${enc(group)}/messages`, { query: { limit, ...c } }),
};

/** avatarUrl is the URL of a user's avatar picture. */
export const avatarUrl = (username: string) => `/web/avatars/${enc(username)}.png`;

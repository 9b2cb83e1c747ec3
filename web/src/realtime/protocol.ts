// The websocket protocol's frames (docs/protocol.md). Hand-written: the
// websocket is not in the OpenAPI document. The REST shapes they carry
// (ChatMessage, Notification) are the generated ones.

import type { ChatMessage, Notification } from '../types';

/** A friend and the private chat with them (`hello.privateChats`, `friend.added`). */
export interface PrivateChat { chatGroupId: string; profileId: string; username: string }

/** A member of a group chat. */
export interface Member { profileId: string; username: string }

/** One of the profile's group chats, as `hello.groupChats` lists it. */
export interface GroupChatInfo { chatGroupId: string; name: string; memberIds: string[] }

/** Frames the server sends over the websocket. */
export type ServerFrame =
  | {
    type: 'hello'; profileId: string; connId: string; privateChats: PrivateChat[]; groupChats?: GroupChatInfo[];
    onlineFriends: string[]; unreadConversationIds: string[]; unreadNotificationsCount: number;
  }
  | { type: 'chat.ack'; id: string; message: ChatMessage }
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'chat.typing'; chatGroupId: string; profileId: string; username: string }
  | { type: 'presence'; profileId: string; online: boolean }
  | { type: 'notification'; notification: Notification; unreadCount: number }
  | { type: 'friend.added'; chatGroupId: string; profileId: string; username: string }
  | { type: 'friend.removed'; profileId: string }
  | { type: 'group.added' | 'group.updated'; chatGroupId: string; name: string; members: Member[] }
  | { type: 'group.removed'; chatGroupId: string }
  | { type: 'chat.seen'; chatGroupId: string; profileId: string; seq: number }
  | { type: 'chat.reaction'; chatGroupId: string; messageId: string; profileId: string; emoji: string; on: boolean }
  | { type: 'resume.done' }
  | { type: 'pong' }
  | { type: 'error'; id?: string | number; code: string; message: string };

/** Frames the client sends. */
export type ClientFrame =
  | { type: 'chat.send'; id: string; chatGroupId: string; content: string }
  | { type: 'chat.typing'; chatGroupId: string }
  | { type: 'chat.read'; chatGroupId: string; seq: number }
  | { type: 'chat.react'; id?: string; chatGroupId: string; messageId: string; emoji: string }
  | { type: 'resume'; chats: Record<string, number> }
  | { type: 'ping' };

/** The server's close code for a profile that holds too many connections already. */
export const CLOSE_TOO_MANY = 4029;

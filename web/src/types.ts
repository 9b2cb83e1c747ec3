// Shapes of the REST API's JSON (see /openapi.json) and of the websocket
// protocol (docs/protocol.md).

export interface Account { id: string; username: string; email: string; role: string }
export interface Profile { id: string; username: string }
export interface Suggestion extends Profile { mutualFriendsCount: number }
export type Privacy = 'PUBLIC' | 'FRIENDS';
export type Relationship = 'FRIEND' | 'OUTGOING_FRIEND_REQUEST' | 'INCOMING_FRIEND_REQUEST' | 'SELF' | 'NONE';

export interface Post {
  id: string; content: string; createdAt: string; wallProfileId: string; profileId: string;
  privacy: Privacy; commentsCount: number; username: string;
}
export interface Comment { id: string; content: string; createdAt: string; postId: string; profileId: string; username: string }

export type NotificationEvent = 'NEW_POST_ON_WALL' | 'NEW_COMMENT_ON_POST' | 'NEW_FRIENDSHIP_REQUEST' | 'NEW_FRIEND';
export interface Notification {
  id: string; createdAt: string; profileId: string; read: boolean; visited: boolean;
  data: { event: NotificationEvent; payload: Record<string, string> };
}

export interface Conversation {
  chatGroupId: string; chatGroupName: string; content: string; createdAt: string;
  fromProfileId: string; fromProfileUsername: string; readAt: string | null; seq: number;
}

export interface ChatMessage { id: string; seq: number; chatGroupId: string; fromProfileId: string; content: string; createdAt: string }
export interface PrivateChat { chatGroupId: string; profileId: string; username: string }

/** Frames the server sends over the websocket. */
export type ServerFrame =
  | { type: 'hello'; profileId: string; connId: string; privateChats: PrivateChat[]; onlineFriends: string[]; unreadConversationIds: string[]; unreadNotificationsCount: number }
  | { type: 'chat.ack'; id: string; message: ChatMessage }
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'chat.typing'; chatGroupId: string; profileId: string; username: string }
  | { type: 'presence'; profileId: string; online: boolean }
  | { type: 'notification'; notification: Notification; unreadCount: number }
  | { type: 'friend.added'; chatGroupId: string; profileId: string; username: string }
  | { type: 'friend.removed'; profileId: string }
  | { type: 'resume.done' }
  | { type: 'pong' }
  | { type: 'error'; id?: string | number; code: string; message: string };

/** Frames the client sends. */
export type ClientFrame =
  | { type: 'chat.send'; id: string; chatGroupId: string; content: string }
  | { type: 'chat.typing'; chatGroupId: string }
  | { type: 'chat.read'; chatGroupId: string; seq: number }
  | { type: 'resume'; chats: Record<string, number> }
  | { type: 'ping' };

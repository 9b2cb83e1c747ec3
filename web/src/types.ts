// Names for the REST API's JSON shapes. They are not written by hand: they
// come from src/api-types.ts, which `npm run gen:api` generates from the
// server's OpenAPI document (web/openapi.json, refreshed by
// scripts/openapi.sh). The websocket frames are in realtime/protocol.ts.

import type { components } from './api-types';

type Schemas = components['schemas'];

export type Account = Schemas['Account'];
export type Profile = Schemas['Profile'];
export type Suggestion = Schemas['Suggestion'];
export type Relationship = Schemas['Relationship'];
export type Post = Schemas['Post'];
export type PostCreated = Schemas['PostCreated'];
export type NewPost = Schemas['NewPost'];
export type Privacy = Post['privacy'];
export type Comment = Schemas['Comment'];
export type Notification = Schemas['Notification'];
export type NotificationEvent = Notification['data']['event'];
export type Conversation = Schemas['Conversation'];
export type ChatMessage = Schemas['ChatMessage'];
/** Reactions are a message's emoji → the profile ids that reacted with it. */
export type Reactions = NonNullable<ChatMessage['reactions']>;
export type GroupChat = Schemas['GroupChat'];
export type Registration = Schemas['Registration'];
export type Tokens = Schemas['Tokens'];

package api

import "github.com/bunnybook/bunnybook"

// object returns an object schema; required lists the members that are
// always present (responses) or must be given (requests).
func object(description string, required []string, props map[string]*oaSchema) *oaSchema {
	return &oaSchema{Type: "object", Description: description, Required: required, Properties: props}
}

func str(description string) *oaSchema { return &oaSchema{Type: "string", Description: description} }

func uuid(description string) *oaSchema {
	return &oaSchema{Type: "string", Format: "uuid", Description: description}
}

func timestamp(description string) *oaSchema {
	return &oaSchema{Type: "string", Format: "date-time", Description: description}
}

func integer(description string) *oaSchema {
	return &oaSchema{Type: "integer", Description: description}
}

func boolean(description string) *oaSchema {
	return &oaSchema{Type: "boolean", Description: description}
}

func nullable(s *oaSchema) *oaSchema { s.Nullable = true; return s }

func enum(description string, values ...string) *oaSchema {
	return &oaSchema{Type: "string", Description: description, Enum: values}
}

// schemas returns the document's component schemas: request bodies,
// response shapes and error bodies.
func schemas() map[string]*oaSchema {
	post := map[string]*oaSchema{
		"id":            uuid(""),
		"content":       str(""),
		"createdAt":     timestamp(""),
		"updatedAt":     nullable(timestamp("Always null: posts are not edited.")),
		"wallProfileId": uuid("The wall's owner."),
		"profileId":     uuid("The author."),
		"privacy":       enum("", string(bunnybook.Public), string(bunnybook.Friends)),
		"commentsCount": integer(""),
		"likesCount":    integer(""),
		"likedByMe":     boolean("Whether the caller likes it (false for anonymous callers)."),
	}
	postCreated := object("A post as created (no username).", []string{"id", "content", "createdAt", "updatedAt", "wallProfileId", "profileId", "privacy", "commentsCount", "likesCount", "likedByMe"}, post)
	fullPost := map[string]*oaSchema{"username": str("The author's username.")}
	for k, v := range post {
		fullPost[k] = v
	}
	return map[string]*oaSchema{
		"Profile": object("A profile's public face.", []string{"id", "username"}, map[string]*oaSchema{
			"id": uuid(""), "username": str(""),
		}),
		"Account": object("An account, as shown to its owner.", []string{"id", "username", "email", "role"}, map[string]*oaSchema{
			"id": uuid(""), "username": str(""), "email": str("Lower-cased."),
			"role": enum("", bunnybook.RoleUser, bunnybook.RoleAdmin),
		}),
		"Registration": object("A new account. Members may also be spelled in snake_case (avatar_identifier).",
			[]string{"username", "email", "password"}, map[string]*oaSchema{
				"username": {Type: "string", MinLength: intp(bunnybook.UsernameMin), MaxLength: intp(bunnybook.UsernameMax),
					Pattern: `^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$`},
				"email":            {Type: "string", Format: "email"},
				"password":         {Type: "string", MinLength: intp(bunnybook.PasswordMin), MaxLength: intp(bunnybook.PasswordMax)},
				"avatarIdentifier": {Type: "string", MaxLength: intp(avatarSeedMax), Description: "The seed of the account's avatar (see /web/avatar/{identifier}). Default: the account id."},
			}),
		"Credentials": object("", []string{"email", "password"}, map[string]*oaSchema{
			"email": {Type: "string", Format: "email"}, "password": str(""),
		}),
		"Tokens": object("A session. The same tokens are also set as cookies.", []string{"accessToken", "accessExp", "refreshExp", "csrfToken"}, map[string]*oaSchema{
			"accessToken": str("JWT (HS256) for the Authorization: Bearer header; 15 minutes."),
			"accessExp":   integer("When the access token expires, in seconds since the epoch."),
			"refreshExp":  integer("When the refresh token expires, in seconds since the epoch."),
			"csrfToken":   str("Send it in the X-CSRF-Token header of cookie-authenticated POST, PUT, PATCH and DELETE requests."),
		}),
		"NewPost": object("A post to publish. Members may also be spelled in snake_case (wall_profile_id).", []string{"content"}, map[string]*oaSchema{
			"content":       {Type: "string", MinLength: intp(1), MaxLength: intp(bunnybook.PostMax)},
			"wallProfileId": uuid("Default: the caller's own wall."),
			"privacy":       {Type: "string", Enum: []string{string(bunnybook.Public), string(bunnybook.Friends)}, Default: string(bunnybook.Public)},
		}),
		"PostCreated": postCreated,
		"Post":        object("A post.", append(postCreated.Required, "username"), fullPost),
		"NewComment": object("", []string{"content"}, map[string]*oaSchema{
			"content": {Type: "string", MinLength: intp(1), MaxLength: intp(bunnybook.CommentMax), Description: "Not only whitespace."},
		}),
		"Comment": object("A comment.", []string{"id", "content", "createdAt", "postId", "profileId", "username", "likesCount", "likedByMe"}, map[string]*oaSchema{
			"id": uuid(""), "content": str(""), "createdAt": timestamp(""), "postId": uuid(""),
			"profileId": uuid("The author."), "username": str("The author's username."),
			"likesCount": integer(""), "likedByMe": boolean("Whether the caller likes it (false for anonymous callers)."),
		}),
		"Relationship": enum("How the first profile relates to the second.",
			string(bunnybook.RelFriend), string(bunnybook.RelOutgoing), string(bunnybook.RelIncoming), string(bunnybook.RelSelf), string(bunnybook.RelNone)),
		"Suggestion": object("A friend of a friend.", []string{"id", "username", "mutualFriendsCount"}, map[string]*oaSchema{
			"id": uuid(""), "username": str(""), "mutualFriendsCount": integer("Friends shared with the caller."),
		}),
		"Notification": object("", []string{"id", "createdAt", "profileId", "data", "read", "visited"}, map[string]*oaSchema{
			"id": uuid(""), "createdAt": timestamp(""), "profileId": uuid("The recipient."),
			"data": object("What happened.", []string{"event", "payload"}, map[string]*oaSchema{
				"event": enum("", bunnybook.EventNewPostOnWall, bunnybook.EventNewCommentOnPost, bunnybook.EventNewFriendshipRequest, bunnybook.EventNewFriend, bunnybook.EventNewLikeOnPost),
				"payload": {Type: "object", AdditionalProperties: &oaSchema{Type: "string"},
					Description: "Event fields, e.g. byId, byUsername, postId, postPreview. NEW_LIKE_ON_POST: byId and byUsername (the latest liker), postId, postPreview, and commentId and commentPreview when a comment was liked."},
			}),
			"read":    boolean("Seen in the list."),
			"visited": boolean("Its link was followed."),
		}),
		"Conversation": object("One of the caller's chats and its latest message. A group chat without messages has empty message fields, seq 0 and its creation time as createdAt.",
			[]string{"fromProfileId", "fromProfileUsername", "content", "createdAt", "chatGroupId", "chatGroupName", "seq", "readAt", "kind", "unreadCount", "readSeqs"}, map[string]*oaSchema{
				"fromProfileId": str("The sender (a UUID; empty when the chat has no message)."), "fromProfileUsername": str(""), "content": str(""), "createdAt": timestamp(""),
				"chatGroupId": uuid(""), "chatGroupName": str("The other member's username, or the group chat's name."), "seq": integer("The message's number in its chat."),
				"readAt":      nullable(timestamp("When the caller read it; null if unread.")),
				"kind":        enum("", bunnybook.ConversationPrivate, bunnybook.ConversationGroup),
				"unreadCount": integer("Messages after the caller's read pointer."),
				"readSeqs": {Type: "array", Description: "Each member's read pointer: the seq of the newest message they read (0 for none), by profile id.",
					Items: object("", []string{"profileId", "seq"}, map[string]*oaSchema{"profileId": uuid(""), "seq": integer("")})},
			}),
		"GroupMember": object("", []string{"profileId", "username"}, map[string]*oaSchema{"profileId": uuid(""), "username": str("")}),
		"GroupChat": object("A group chat.", []string{"chatGroupId", "name", "createdBy", "createdAt", "members"}, map[string]*oaSchema{
			"chatGroupId": uuid(""), "name": str(""), "createdBy": uuid("The creator, who may remove members."), "createdAt": timestamp(""),
			"members": {Type: "array", Description: "By username.", Items: ref("GroupMember")},
		}),
		"NewGroupChat": object("", []string{"name", "memberIds"}, map[string]*oaSchema{
			"name": groupName(),
			"memberIds": {Type: "array", Description: "The caller's friends to add besides the caller.", Items: &oaSchema{Type: "string", Format: "uuid"},
				MinItems: intp(bunnybook.GroupOthersMin), MaxItems: intp(bunnybook.GroupOthersMax)},
		}),
		"GroupChatName":  object("", []string{"name"}, map[string]*oaSchema{"name": groupName()}),
		"NewGroupMember": object("", []string{"profileId"}, map[string]*oaSchema{"profileId": uuid("One of the caller's friends.")}),
		"ChatMessage": object("", []string{"id", "seq", "createdAt", "fromProfileId", "chatGroupId", "content"}, map[string]*oaSchema{
			"id": uuid(""), "seq": integer("1, 2, 3… in the order the chat accepted them."), "createdAt": timestamp(""),
			"fromProfileId": uuid(""), "chatGroupId": uuid(""), "content": str(""),
			"reactions": {Type: "object", AdditionalProperties: &oaSchema{Type: "array", Items: uuid("")},
				Description: "Each emoji on the message (at most 8) → the profiles that reacted with it, in the order they did; {} when none. Always present in history; absent from the websocket's chat.message and chat.ack frames (reactions come live as chat.reaction frames), which is why it is not listed as required. Toggled with the websocket's chat.react."},
		}),
		"Error": object("An error.", []string{"detail", "message"}, map[string]*oaSchema{
			"detail":  str("The status's reason phrase."),
			"message": str("What went wrong (UnexpectedRelationshipState for relationship changes that do not fit)."),
		}),
		"Conflict": object("A registration conflict, or adding a member of a group chat again.", []string{"message", "code", "error"}, map[string]*oaSchema{
			"message": str("e.g. email already taken"),
			"code":    enum("", "EmailAlreadyTaken", "UsernameAlreadyTaken", "AlreadyGroupMember"),
			"error":   object("", []string{"field"}, map[string]*oaSchema{"field": enum("Empty for AlreadyGroupMember.", "email", "username", "")}),
		}),
		"ValidationError": object("Invalid input: one entry per problem.", []string{"detail", "message"}, map[string]*oaSchema{
			"detail": {Type: "array", Items: object("", []string{"loc", "msg", "type"}, map[string]*oaSchema{
				"loc":  {Type: "array", Description: `Where: "body", "query" or "path", then the member or parameter name (and an array index).`, Items: &oaSchema{OneOf: []*oaSchema{{Type: "string"}, {Type: "integer"}}}},
				"msg":  str(""),
				"type": str("e.g. value_error.missing, type_error.uuid"),
			})},
			"message": str("All problems in one line."),
		}),
		"RateLimited": object("", []string{"detail"}, map[string]*oaSchema{"detail": enum("", "Too Many Requests")}),
		"Health":      object("", []string{"status"}, map[string]*oaSchema{"status": enum("", "ok")}),
		"Readiness": object("", []string{"status", "checks"}, map[string]*oaSchema{
			"status": enum("", "ready", "unavailable"),
			"checks": {Type: "object", AdditionalProperties: &oaSchema{Type: "string", Description: `"up" or "down: <reason>"`}},
		}),
	}
}

func groupName() *oaSchema {
	return &oaSchema{Type: "string", MinLength: intp(1), MaxLength: intp(bunnybook.GroupNameMax), Description: "Trimmed of spaces."}
}

package api

import (
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
)

// route is one endpoint: how it is served and how it is documented. The
// router and the OpenAPI document are both built from the route table, so
// they cannot drift apart.
type route struct {
	method, path string
	handle       func(*request) error
	auth         authMode
	limits       []RateLimit
	// private marks routes whose every answer, errors included, is
	// Cache-Control: no-store (sessions and accounts).
	private bool
	// jsonType: the request needs Content-Type: application/json even
	// without a body (the auth routes; see checkMediaType).
	jsonType bool

	tag, summary, description string
	params                    []*oaParameter
	body                      *oaRequestBody
	success                   response
	errors                    []int // statuses beyond those implied by auth, limits, params and body
}

// response documents a success response.
type response struct {
	status      int
	description string
	schema      *oaSchema // nil for no body
	contentType string    // default application/json
}

// key names the route in Config.RateLimits: "METHOD /path".
func (rt *route) key() string { return rt.method + " " + rt.path }

// paramIn tells where a field of an EInvalid error came from.
func (rt *route) paramIn(field string) string {
	for _, p := range rt.params {
		if p.Name == field {
			return p.In
		}
	}
	return inBody
}

func perSecond(n int) []RateLimit { return []RateLimit{{n, time.Second}} }

// routeTable lists every endpoint (spec §2, plus logout, me and operations).
func (s *Server) routeTable() []*route {
	const (
		get, post, put, patch, del = fasthttp.MethodGet, fasthttp.MethodPost, fasthttp.MethodPut, fasthttp.MethodPatch, fasthttp.MethodDelete
	)
	const likeRule = "Idempotent. Only on a post the caller may see (as GET /web/posts/{post_id}: 403 for another wall's FRIENDS post, 404 for an unknown one). "
	const likeNote = "A new like notifies the author (NEW_LIKE_ON_POST), unless they liked their own: while the author has an unread one for the post, that one is updated (latest liker, time now) instead of adding another. "
	profileID := pathID("profile_id", "The caller's own profile id.")
	return []*route{
		// Accounts and sessions.
		{method: post, path: "/web/register", handle: s.register, private: true, jsonType: true,
			limits: []RateLimit{{1, time.Second}, {10, time.Minute}},
			tag:    tagAuth, summary: "Create an account",
			description: "Usernames are 2 to 32 letters and digits, optionally joined by single '-', '_' or '.'; passwords 8 to 64 characters. The e-mail is stored lower-cased.",
			body:        jsonBody("Registration"), success: response{201, "The new account.", ref("Account"), ""},
			errors: []int{409}},
		{method: post, path: "/web/login", handle: s.login, private: true, jsonType: true,
			limits: []RateLimit{{5, time.Second}, {30, time.Minute}},
			tag:    tagAuth, summary: "Sign in",
			description: "Returns an access token and sets the access_token, refresh_token and csrf_token cookies. A wrong e-mail or password is 401. Besides the per-IP limit, sign-ins to one account back off after five failures in a row (429 with Retry-After: 1 s, 2 s, 4 s … up to 15 minutes; always on), and a success resets them.",
			body:        jsonBody("Credentials"), success: response{200, "A new session.", ref("Tokens"), ""},
			errors: []int{401}},
		{method: post, path: "/web/refresh", handle: s.refresh, private: true, jsonType: true,
			tag: tagAuth, summary: "Rotate the session",
			description: "Uses up the refresh_token cookie and sets new cookies. Presenting a refresh token that was already used ends its whole session: its refresh tokens are revoked, its access tokens refused and its websockets closed. Any failure is 401 and clears the cookies. Takes no body, but needs Content-Type: application/json (else 415), so that other sites cannot call it without a CORS preflight.",
			success:     response{200, "The renewed session.", ref("Tokens"), ""},
			errors:      []int{401}},
		{method: post, path: "/web/logout", handle: s.logout, private: true, jsonType: true,
			tag: tagAuth, summary: "Sign out",
			description: "Ends the session of the refresh_token cookie and the session of the access token presented (cookie or Bearer, even expired): their refresh tokens are revoked, their access tokens refused from now on, their websockets closed (4001). Clears every auth cookie. Idempotent. Takes no body, but needs Content-Type: application/json (else 415), so that other sites cannot call it without a CORS preflight.",
			success:     response{204, "Signed out.", nil, ""}},
		{method: get, path: "/web/me", handle: s.whoAmI, auth: authRequired, limits: perSecond(10), private: true,
			tag: tagAuth, summary: "The signed-in account",
			description: "For browsers, whose access token is in an HttpOnly cookie they cannot read.",
			success:     response{200, "The caller's account.", ref("Account"), ""}},

		// Avatars.
		{method: get, path: "/web/avatar/{identifier}", handle: s.avatarPreview, limits: perSecond(5),
			tag: tagAvatars, summary: "Preview the avatar of a seed",
			params:  []*oaParameter{{Name: "identifier", In: inPath, Required: true, Description: "Any text up to 128 bytes.", Schema: &oaSchema{Type: "string", MaxLength: intp(avatarSeedMax)}}},
			success: response{200, "A 256×256 PNG.", &oaSchema{Type: "string", Format: "binary"}, "image/png"},
			errors:  []int{304}},
		{method: get, path: "/web/avatars/{username}.png", handle: s.accountAvatar,
			tag: tagAvatars, summary: "An account's avatar",
			params:  []*oaParameter{{Name: "username", In: inPath, Required: true, Schema: &oaSchema{Type: "string"}}},
			success: response{200, "A 256×256 PNG.", &oaSchema{Type: "string", Format: "binary"}, "image/png"},
			errors:  []int{304, 404}},

		// Posts and comments.
		{method: post, path: "/web/posts", handle: s.createPost, auth: authRequired, limits: perSecond(5),
			tag: tagPosts, summary: "Publish a post",
			description: "On the caller's wall or, if they are friends, on the wall of wallProfileId (else 403).",
			body:        jsonBody("NewPost"), success: response{201, "The post (without username).", ref("PostCreated"), ""},
			errors: []int{403}},
		{method: get, path: "/web/posts", handle: s.wallPosts, auth: authOptional, limits: perSecond(5),
			tag: tagPosts, summary: "A wall's posts, newest first",
			description: "FRIENDS posts are included only for the wall owner and their friends.",
			params:      append([]*oaParameter{queryID("wall_profile_id", "The wall's profile id.", true)}, timePageParams(bunnybook.PostPageLimits)...),
			success:     response{200, "A page of posts.", arrayOf("Post"), ""},
			errors:      []int{404}},
		{method: get, path: "/web/posts/{post_id}", handle: s.getPost, auth: authOptional, limits: perSecond(5),
			tag: tagPosts, summary: "One post",
			description: "A FRIENDS post is 403 unless the caller is the wall owner or the wall owner's friend.",
			params:      []*oaParameter{pathID("post_id", "")},
			success:     response{200, "The post.", ref("Post"), ""},
			errors:      []int{403, 404}},
		{method: del, path: "/web/posts/{post_id}", handle: s.deletePost, auth: authRequired, limits: perSecond(5),
			tag: tagPosts, summary: "Delete a post and its comments",
			description: "Only the author or the wall owner may.",
			params:      []*oaParameter{pathID("post_id", "")},
			success:     response{204, "Deleted.", nil, ""},
			errors:      []int{403, 404}},
		{method: post, path: "/web/posts/{post_id}/comments", handle: s.createComment, auth: authRequired, limits: perSecond(5),
			tag: tagPosts, summary: "Comment on a post",
			description: "On a post the caller may see. Everyone involved in the post is notified.",
			params:      []*oaParameter{pathID("post_id", "")}, body: jsonBody("NewComment"),
			success: response{201, "The comment.", ref("Comment"), ""},
			errors:  []int{403, 404}},
		{method: get, path: "/web/posts/{post_id}/comments", handle: s.comments, auth: authOptional, limits: perSecond(5),
			tag: tagPosts, summary: "A post's comments, newest first",
			params:  append([]*oaParameter{pathID("post_id", "")}, timePageParams(bunnybook.CommentPageLimits)...),
			success: response{200, "A page of comments.", arrayOf("Comment"), ""},
			errors:  []int{403, 404}},

		{method: put, path: "/web/posts/{post_id}/like", handle: s.setLike, auth: authRequired, limits: perSecond(10),
			tag: tagPosts, summary: "Like a post",
			description: likeRule + likeNote,
			params:      []*oaParameter{pathID("post_id", "")},
			success:     response{204, "The caller likes the post.", nil, ""},
			errors:      []int{403, 404}},
		{method: del, path: "/web/posts/{post_id}/like", handle: s.setLike, auth: authRequired, limits: perSecond(10),
			tag: tagPosts, summary: "Stop liking a post",
			description: likeRule + "Notifications stay as they are.",
			params:      []*oaParameter{pathID("post_id", "")},
			success:     response{204, "The caller does not like the post.", nil, ""},
			errors:      []int{403, 404}},
		{method: put, path: "/web/posts/{post_id}/comments/{comment_id}/like", handle: s.setLike, auth: authRequired, limits: perSecond(10),
			tag: tagPosts, summary: "Like a comment",
			description: likeRule + "The comment must be one of that post (else 404). " + likeNote + "Likes of a post's comments share that notification.",
			params:      []*oaParameter{pathID("post_id", ""), pathID("comment_id", "")},
			success:     response{204, "The caller likes the comment.", nil, ""},
			errors:      []int{403, 404}},
		{method: del, path: "/web/posts/{post_id}/comments/{comment_id}/like", handle: s.setLike, auth: authRequired, limits: perSecond(10),
			tag: tagPosts, summary: "Stop liking a comment",
			description: likeRule + "The comment must be one of that post (else 404). Notifications stay as they are.",
			params:      []*oaParameter{pathID("post_id", ""), pathID("comment_id", "")},
			success:     response{204, "The caller does not like the comment.", nil, ""},
			errors:      []int{403, 404}},

		// Profiles and friendships.
		{method: get, path: "/web/profiles", handle: s.searchProfiles, limits: perSecond(10),
			tag: tagProfiles, summary: "Search profiles by username",
			description: "Case-insensitive substring match, at most 5, usernames starting with the query first.",
			params:      []*oaParameter{{Name: "username_query", In: inQuery, Required: true, Schema: &oaSchema{Type: "string", MinLength: intp(1), MaxLength: intp(bunnybook.UsernameMax)}}},
			success:     response{200, "Matching profiles.", arrayOf("Profile"), ""}},
		{method: get, path: "/web/profiles/{profile_id}", handle: s.getProfile, limits: perSecond(10),
			tag: tagProfiles, summary: "One profile",
			params:  []*oaParameter{pathID("profile_id", "")},
			success: response{200, "The profile.", ref("Profile"), ""},
			errors:  []int{404}},
		{method: post, path: "/web/profiles/{profile_id}/outgoing_friend_requests/{target_profile_id}", handle: s.sendFriendRequest,
			auth: authSelf, limits: perSecond(3),
			tag: tagFriends, summary: "Send a friend request",
			description: "The pair must have no relationship (else 400 UnexpectedRelationshipState); a request to oneself is 400. The target is notified.",
			params:      []*oaParameter{profileID, pathID("target_profile_id", "")},
			success:     response{201, "Sent.", nil, ""},
			errors:      []int{400, 404}},
		{method: del, path: "/web/profiles/{profile_id}/outgoing_friend_requests/{target_profile_id}", handle: s.cancelFriendRequest,
			auth: authSelf, limits: perSecond(5),
			tag: tagFriends, summary: "Cancel a friend request the caller sent",
			params:  []*oaParameter{profileID, pathID("target_profile_id", "")},
			success: response{204, "Cancelled.", nil, ""},
			errors:  []int{400, 404}},
		{method: del, path: "/web/profiles/{profile_id}/incoming_friend_requests/{requester_profile_id}", handle: s.rejectFriendRequest,
			auth: authSelf, limits: perSecond(5),
			tag: tagFriends, summary: "Reject a friend request the caller received",
			params:  []*oaParameter{profileID, pathID("requester_profile_id", "")},
			success: response{204, "Rejected.", nil, ""},
			errors:  []int{400, 404}},
		{method: post, path: "/web/profiles/{profile_id}/friends/{requester_profile_id}", handle: s.acceptFriendRequest,
			auth: authSelf, limits: perSecond(5),
			tag: tagFriends, summary: "Accept a friend request",
			description: "Opens (or reopens) the pair's private chat and notifies the requester.",
			params:      []*oaParameter{profileID, pathID("requester_profile_id", "")},
			success:     response{201, "Now friends.", nil, ""},
			errors:      []int{400, 404}},
		{method: del, path: "/web/profiles/{profile_id}/friends/{friend_profile_id}", handle: s.unfriend,
			auth: authSelf, limits: perSecond(3),
			tag: tagFriends, summary: "End a friendship",
			description: "Their private chat becomes inactive; its history is kept.",
			params:      []*oaParameter{profileID, pathID("friend_profile_id", "")},
			success:     response{204, "No longer friends.", nil, ""},
			errors:      []int{400, 404}},
		{method: get, path: "/web/profiles/{profile_id}/friends", handle: s.friends, limits: perSecond(5),
			tag: tagFriends, summary: "A profile's friends, by username",
			params:  append([]*oaParameter{pathID("profile_id", "")}, namePageParams()...),
			success: response{200, "A page of profiles.", arrayOf("Profile"), ""},
			errors:  []int{404}},
		{method: get, path: "/web/profiles/{profile_id}/friend_requests", handle: s.friendRequests, auth: authSelf, limits: perSecond(5),
			tag: tagFriends, summary: "The caller's pending friend requests, by username",
			params: append([]*oaParameter{profileID, {Name: "direction", In: inQuery, Description: "incoming: sent to the caller; outgoing: sent by the caller.",
				Schema: &oaSchema{Type: "string", Enum: []string{"incoming", "outgoing"}, Default: "outgoing"}}}, namePageParams()...),
			success: response{200, "A page of profiles.", arrayOf("Profile"), ""}},
		{method: get, path: "/web/profiles/{profile_id}/friend_suggestions", handle: s.suggestions, auth: authSelf, limits: perSecond(5),
			tag: tagFriends, summary: "Bunnies the caller may know",
			description: "Friends of friends who are not friends and have no pending request with the caller, ranked by mutual friend count (descending), then username. To page, pass the last item's mutualFriendsCount and username as mutual_count and username_gt.",
			params: []*oaParameter{profileID,
				{Name: "mutual_count", In: inQuery, Description: "The last seen suggestion's mutualFriendsCount (with username_gt).", Schema: &oaSchema{Type: "integer", Minimum: intp(0)}},
				usernameGT(), limitParam(bunnybook.ProfilePageLimits)},
			success: response{200, "A page of suggestions.", arrayOf("Suggestion"), ""}},
		{method: get, path: "/web/profiles/{profile_id}/friends/{friend_profile_id}/mutual_friends", handle: s.mutualFriends,
			auth: authSelf, limits: perSecond(5),
			tag: tagFriends, summary: "Friends the caller shares with another profile, by username",
			params:  append([]*oaParameter{profileID, pathID("friend_profile_id", "The other profile (need not be a friend).")}, namePageParams()...),
			success: response{200, "A page of profiles.", arrayOf("Profile"), ""},
			errors:  []int{404}},
		{method: get, path: "/web/profiles/{profile_id}/relationships/{other_profile_id}", handle: s.relationship,
			auth: authRequired, limits: perSecond(10),
			tag: tagFriends, summary: "How one profile relates to another",
			description: "From profile_id's side: OUTGOING_FRIEND_REQUEST when profile_id sent a request to the other. Only the two profiles may ask (else 403): it shows pending requests.",
			params:      []*oaParameter{pathID("profile_id", ""), pathID("other_profile_id", "")},
			success:     response{200, "The relationship.", ref("Relationship"), ""},
			errors:      []int{403, 404}},

		// Notifications.
		{method: get, path: "/web/profiles/{profile_id}/notifications", handle: s.notifications, auth: authSelf, limits: perSecond(5),
			tag: tagNotifications, summary: "The caller's notifications, newest first",
			params:  append([]*oaParameter{profileID}, timePageParams(bunnybook.NotificationPageLimits)...),
			success: response{200, "A page of notifications.", arrayOf("Notification"), ""}},
		{method: patch, path: "/web/profiles/{profile_id}/notifications", handle: s.markNotifications, auth: authSelf, limits: perSecond(5),
			tag: tagNotifications, summary: "Mark notifications read and/or visited",
			description: "The body lists 1 to 100 of the caller's notification ids; give read, visited or both.",
			params: []*oaParameter{profileID,
				{Name: "read", In: inQuery, Schema: &oaSchema{Type: "boolean"}},
				{Name: "visited", In: inQuery, Schema: &oaSchema{Type: "boolean"}}},
			body:    &oaRequestBody{Required: true, Content: jsonContent(&oaSchema{Type: "array", Items: &oaSchema{Type: "string", Format: "uuid"}, MinItems: intp(1), MaxItems: intp(100)})},
			success: response{200, "The updated notifications.", arrayOf("Notification"), ""},
			errors:  []int{404}},

		// Chat.
		{method: get, path: "/web/profiles/{profile_id}/conversations", handle: s.conversations, auth: authSelf, limits: perSecond(5),
			tag: tagChat, summary: "The caller's conversations, by latest message",
			params:  append([]*oaParameter{profileID}, timePageParams(bunnybook.ConversationPageLimits)...),
			success: response{200, "A page of conversations.", arrayOf("Conversation"), ""}},
		{method: get, path: "/web/chat/{chat_group_id}/messages", handle: s.chatMessages, auth: authRequired, limits: perSecond(10),
			tag: tagChat, summary: "A chat's messages, newest first",
			description: "Members only, including former friends (their chat is inactive but readable); a former member of a group chat reads the messages sent before they left.",
			params:      append([]*oaParameter{pathID("chat_group_id", "")}, timePageParams(bunnybook.MessagePageLimits)...),
			success:     response{200, "A page of messages.", arrayOf("ChatMessage"), ""},
			errors:      []int{403, 404}},

		{method: post, path: "/web/chat/groups", handle: s.createGroupChat, auth: authRequired, limits: perSecond(3),
			tag: tagChat, summary: "Create a group chat",
			description: "The caller and 2 to 49 others, who must all be the caller's friends (else 403; an unknown profile is 404). Duplicate ids count once; listing the caller is 400, as are too few or too many members and a name that is not 1 to 64 characters after trimming spaces. Every member online gets group.added on the websocket.",
			body:        jsonBody("NewGroupChat"), success: response{201, "The group chat.", ref("GroupChat"), ""},
			errors: []int{400, 403, 404}},
		{method: get, path: "/web/chat/groups/{chat_group_id}", handle: s.getGroupChat, auth: authRequired, limits: perSecond(10),
			tag: tagChat, summary: "A group chat",
			description: "Members only (else 403). An unknown id, or the id of a private chat, is 404.",
			params:      []*oaParameter{pathID("chat_group_id", "")},
			success:     response{200, "The group chat.", ref("GroupChat"), ""},
			errors:      []int{403, 404}},
		{method: patch, path: "/web/chat/groups/{chat_group_id}", handle: s.renameGroupChat, auth: authRequired, limits: perSecond(3),
			tag: tagChat, summary: "Rename a group chat",
			description: "Any member may (else 403). Members online get group.updated.",
			params:      []*oaParameter{pathID("chat_group_id", "")}, body: jsonBody("GroupChatName"),
			success: response{200, "The group chat.", ref("GroupChat"), ""},
			errors:  []int{400, 403, 404}},
		{method: post, path: "/web/chat/groups/{chat_group_id}/members", handle: s.addGroupMember, auth: authRequired, limits: perSecond(3),
			tag: tagChat, summary: "Add a member to a group chat",
			description: "A member (else 403) adds one of their own friends (else 403). One who is a member already is 409; a group of 50 members is full (400). The new member can read the history and gets group.added, the others group.updated.",
			params:      []*oaParameter{pathID("chat_group_id", "")}, body: jsonBody("NewGroupMember"),
			success: response{201, "The group chat.", ref("GroupChat"), ""},
			errors:  []int{400, 403, 404, 409}},
		{method: del, path: "/web/chat/groups/{chat_group_id}/members/{profile_id}", handle: s.removeGroupMember, auth: authRequired, limits: perSecond(3),
			tag: tagChat, summary: "Leave a group chat, or remove a member",
			description: "profile_id is the caller (leave) or, for the group's creator only, another member (else 403); one who is not a member is 404. The one removed gets group.removed and can still read the messages sent before, nothing after; the others get group.updated.",
			params:      []*oaParameter{pathID("chat_group_id", ""), pathID("profile_id", "")},
			success:     response{204, "Removed.", nil, ""},
			errors:      []int{403, 404}},

		// Operations.
		{method: get, path: "/healthz", handle: s.healthz, tag: tagOps, summary: "Liveness",
			success: response{200, "The process is up.", ref("Health"), ""}},
		{method: get, path: "/readyz", handle: s.readyz, tag: tagOps, summary: "Readiness",
			description: "Runs every dependency check; 503 when one fails.",
			success:     response{200, "Ready to serve.", ref("Readiness"), ""},
			errors:      []int{503}},
		{method: get, path: "/openapi.json", handle: s.openAPI, tag: tagOps, summary: "This document",
			success: response{200, "OpenAPI 3.0 document.", &oaSchema{Type: "object"}, ""}},
		{method: get, path: "/docs", handle: s.docsPage, tag: tagOps, summary: "This document, for people",
			success: response{200, "HTML page.", &oaSchema{Type: "string"}, "text/html"}},
	}
}

// Package bunnybook holds Bunnybook's domain: the types (profiles, posts,
// comments, friendships, notifications, chats), the one error type, input
// validation, the storage contracts its backends implement, and Service,
// which applies the product's rules (privacy, the relationship state machine,
// notifications) on top of those contracts.
//
// It imports the standard library only. Backends live in persistence/*,
// transports in api/ and gateway/, wiring in cmd/bunnybook.
package bunnybook

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
)

// User is one line of the users file written by `bunnybook seed`.
type User struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	Password    string `json:"password"`
	AccessToken string `json:"accessToken"`
	Chats       []Chat `json:"chats"`
}

// Chat is a user's private chat with one friend.
type Chat struct {
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
}

// readUsers reads a users file.
func readUsers(path string) ([]User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	var users []User
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var u User
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			return nil, fmt.Errorf("users file %s line %d: %w", path, len(users)+1, err)
		}
		if u.ID == "" || u.AccessToken == "" {
			return nil, fmt.Errorf("users file %s line %d: no id or accessToken", path, len(users)+1)
		}
		users = append(users, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return users, nil
}

// pair is two connected friends who chat: connection indexes and their group.
type pair struct {
	A, B  int
	Group string
}

// chatPairs matches the first n users into disjoint pairs of friends,
// greedily in file order. Every worker computes the same pairs.
func chatPairs(users []User, n int) []pair {
	index := make(map[string]int, n)
	for i := range n {
		index[users[i].ID] = i
	}
	matched := make([]bool, n)
	var pairs []pair
	for a := range n {
		if matched[a] {
			continue
		}
		for _, c := range users[a].Chats {
			b, ok := index[c.ProfileID]
			if ok && !matched[b] && b != a {
				matched[a], matched[b] = true, true
				pairs = append(pairs, pair{a, b, c.ChatGroupID})
				break
			}
		}
	}
	return pairs
}

// friendsIndex returns, for each of the first n users, the indexes of
// their friends among the first n.
func friendsIndex(users []User, n int) [][]int {
	index := make(map[string]int, n)
	for i := range n {
		index[users[i].ID] = i
	}
	out := make([][]int, n)
	for i := range n {
		for _, c := range users[i].Chats {
			if j, ok := index[c.ProfileID]; ok {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// chatGroup is a group chat of the groups scenario: its creator and
// members (creator first), connection indexes, and its name in this run.
type chatGroup struct {
	Members []int
	Name    string
}

// groupName names plan group k of run: how members recognise it in hello
// and group.added.
func groupName(run string, k int) string { return fmt.Sprintf("bunnyload %s #%d", run, k) }

// chatGroups plans disjoint group chats among the first n users, greedily
// in file order: each user not yet in a group creates one with up to
// size−1 of their friends not yet in one (size drawn between lo and hi
// from seed), if at least two are left (a group has 2 to 49 others).
// Every worker computes the same plan.
func chatGroups(users []User, n, lo, hi int, seed uint64, run string) []chatGroup {
	friends := friendsIndex(users, n)
	rng := rand.New(rand.NewPCG(seed, 14))
	taken := make([]bool, n)
	var out []chatGroup
	for a := range n {
		if taken[a] {
			continue
		}
		size := lo + rng.IntN(hi-lo+1)
		members := []int{a}
		for _, f := range friends[a] {
			if len(members) == size {
				break
			}
			if !taken[f] && f != a {
				members = append(members, f)
			}
		}
		if len(members) < 3 {
			continue
		}
		for _, m := range members {
			taken[m] = true
		}
		out = append(out, chatGroup{Members: members, Name: groupName(run, len(out))})
	}
	return out
}

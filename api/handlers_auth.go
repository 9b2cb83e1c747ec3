package api

import (
	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/auth"
)

// tokens is the body of a successful login or refresh.
type tokens struct {
	AccessToken string `json:"accessToken"`
	AccessExp   int64  `json:"accessExp"`
	RefreshExp  int64  `json:"refreshExp"`
	CSRFToken   string `json:"csrfToken"`
}

func (s *Server) register(r *request) error {
	var username, email, password, seed string
	if r.decodeObject(
		field{"username", &username, true},
		field{"email", &email, true},
		field{"password", &password, true},
		field{"avatarIdentifier", &seed, false},
	) {
		var err error
		r.invalid(bunnybook.ValidateUsername(username))
		email, err = bunnybook.NormalizeEmail(email)
		r.invalid(err)
		r.invalid(bunnybook.ValidatePassword(password))
		if len(seed) > avatarSeedMax {
			r.fail(inBody, "avatarIdentifier", "must be at most 128 bytes", "value_error.any_str.max_length")
		}
	}
	if err := r.check(); err != nil {
		return err
	}
	hash, err := s.auth.HashPassword(r, password)
	if err != nil {
		return err
	}
	acc := &bunnybook.Account{Profile: bunnybook.Profile{Username: username}, Email: email, PasswordHash: hash, AvatarSeed: seed}
	if err := s.svc.Register(r, acc); err != nil {
		return err
	}
	return r.created(acc)
}

func (s *Server) login(r *request) error {
	var email, password string
	if r.decodeObject(field{"email", &email, true}, field{"password", &password, true}) {
		var err error
		email, err = bunnybook.NormalizeEmail(email)
		r.invalid(err)
	}
	if err := r.check(); err != nil {
		return err
	}
	acc, err := s.auth.Authenticate(r, email, password)
	if err != nil {
		return err
	}
	sess, err := s.auth.Login(r, acc)
	if err != nil {
		return err
	}
	return s.startSession(r, sess)
}

// refresh rotates the refresh_token cookie. Every failure clears the
// cookies, so a browser stops presenting a dead session.
func (s *Server) refresh(r *request) error {
	token := string(r.Request.Header.Cookie(refreshCookie))
	var sess *auth.Session
	var err error = bunnybook.Errorf(bunnybook.EUnauthorized, "no session: sign in again")
	if token != "" {
		sess, err = s.auth.Refresh(r, token)
	}
	if bunnybook.ErrorKind(err) == bunnybook.EUnauthorized {
		s.clearSessionCookies(r.RequestCtx)
	}
	if err != nil {
		return err
	}
	return s.startSession(r, sess)
}

func (s *Server) startSession(r *request, sess *auth.Session) error {
	s.setSessionCookies(r.RequestCtx, sess)
	return r.ok(tokens{
		AccessToken: sess.AccessToken,
		AccessExp:   sess.AccessExp.Unix(),
		RefreshExp:  sess.RefreshExp.Unix(),
		CSRFToken:   sess.CSRFToken,
	})
}

// logout ends the session of the refresh cookie and of the access token
// (cookie or Bearer), and clears the cookies, even when there is no
// session to end.
func (s *Server) logout(r *request) error {
	s.clearSessionCookies(r.RequestCtx)
	access, _, _ := credentials(&r.Request.Header)
	if err := s.auth.Logout(r, string(r.Request.Header.Cookie(refreshCookie)), access); err != nil {
		return err
	}
	return r.noContent()
}

func (s *Server) whoAmI(r *request) error {
	if err := r.check(); err != nil {
		return err
	}
	return r.ok(r.user)
}

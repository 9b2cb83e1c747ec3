// Login and registration.
import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { ApiError, api } from '../api';
import { IconEye } from '../components/Icons';
import { login } from '../session';

function PasswordInput({ id, value, onChange, invalid, describedBy, autoComplete }: {
  id: string; value: string; onChange: (v: string) => void; invalid?: boolean; describedBy?: string; autoComplete: string;
}) {
  const [show, setShow] = useState(false);
  return (
    <div className="password">
      <input id={id} type={show ? 'text' : 'password'} value={value} onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined} aria-describedby={describedBy} autoComplete={autoComplete} />
      <button type="button" className="icon-btn" onClick={() => setShow((s) => !s)} aria-label={show ? 'Hide password' : 'Show password'}
        aria-pressed={show}>
        <IconEye off={show} />
      </button>
    </div>
  );
}

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const notice = (useLocation().state as { registered?: boolean } | null)?.registered;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(email, password);
      navigate('/profile');
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Invalid email/password combination' : e instanceof Error ? e.message : 'Unexpected error occurred');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Log in to Bunnybook</h1>
        {notice && <p className="notice" role="status">Welcome aboard! Your account is ready: log in.</p>}
        <label htmlFor="login-email">Email</label>
        <input id="login-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        <label htmlFor="login-password">Password</label>
        <PasswordInput id="login-password" value={password} onChange={setPassword} autoComplete="current-password" />
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="btn btn-primary wide" disabled={busy || !email || !password}>{busy ? 'Logging in…' : 'Login'}</button>
        <Link to="/register" className="link-btn center">Don't have an account? Sign Up</Link>
      </form>
    </main>
  );
}

const USERNAME_RE = /^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$/;
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** validate returns the problem with each registration field, if any. */
export function validate(f: { email: string; username: string; password: string }) {
  return {
    email: EMAIL_RE.test(f.email) ? '' : 'email must be valid',
    username: f.username.length >= 2 && f.username.length <= 32 && USERNAME_RE.test(f.username)
      ? '' : 'username must be valid (2 to 32 letters or digits, joined by single "-", "_" or ".")',
    password: f.password.length >= 8 && f.password.length <= 64 ? '' : 'password must be 8 to 64 characters',
  };
}

const newSeed = () =>
  typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export function RegisterPage() {
  const [f, setF] = useState({ email: '', username: '', password: '' });
  const [touched, setTouched] = useState({ email: false, username: false, password: false });
  const [server, setServer] = useState<{ email?: string; username?: string; password?: string; form?: string }>({});
  const [seed, setSeed] = useState(newSeed);
  const [avatarLoading, setAvatarLoading] = useState(true);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const errs = validate(f);
  const valid = !errs.email && !errs.username && !errs.password;
  useEffect(() => {
    setAvatarLoading(true);
  }, [seed]);

  const field = (k: 'email' | 'username' | 'password') => ({
    value: f[k],
    onChange: (v: string) => {
      setF((x) => ({ ...x, [k]: v }));
      setTouched((t) => ({ ...t, [k]: true }));
      setServer((s) => ({ ...s, [k]: undefined }));
    },
    msg: server[k] || (touched[k] ? errs[k] : ''),
  });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setServer({});
    try {
      await api.register({ ...f, avatarIdentifier: seed });
      navigate('/login', { state: { registered: true } });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && (e.field === 'email' || e.field === 'username')) setServer({ [e.field]: e.message });
      else if (e instanceof ApiError && e.status === 0) setServer({ email: 'Unexpected error occurred' });
      else setServer({ form: e instanceof Error ? e.message : 'Unexpected error occurred' });
    } finally {
      setBusy(false);
    }
  };

  const email = field('email'), username = field('username'), password = field('password');
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="register-title" noValidate>
        <h1 id="register-title">Join Bunnybook</h1>
        <div className="avatar-picker">
          <img src={`/web/avatar/${encodeURIComponent(seed)}`} width={128} height={128} alt="Your new avatar"
            className={`avatar big ${avatarLoading ? 'loading' : ''}`} onLoad={() => setAvatarLoading(false)} onError={() => setAvatarLoading(false)} />
          <button type="button" className="btn btn-light" onClick={() => setSeed(newSeed())} disabled={avatarLoading}>
            {avatarLoading ? <span className="spinner" aria-hidden="true" /> : null} Generate new avatar
          </button>
        </div>
        <label htmlFor="reg-email">Email</label>
        <input id="reg-email" type="email" value={email.value} onChange={(e) => email.onChange(e.target.value)}
          aria-invalid={!!email.msg || undefined} aria-describedby="reg-email-msg" autoComplete="email" />
        <p id="reg-email-msg" className="field-error" aria-live="polite">{email.msg}</p>
        <label htmlFor="reg-username">Username</label>
        <input id="reg-username" value={username.value} onChange={(e) => username.onChange(e.target.value)}
          aria-invalid={!!username.msg || undefined} aria-describedby="reg-username-msg" autoComplete="username" />
        <p id="reg-username-msg" className="field-error" aria-live="polite">{username.msg}</p>
        <label htmlFor="reg-password">Password</label>
        <PasswordInput id="reg-password" value={password.value} onChange={password.onChange} invalid={!!password.msg}
          describedBy="reg-password-msg" autoComplete="new-password" />
        <p id="reg-password-msg" className="field-error" aria-live="polite">{password.msg}</p>
        {server.form && <p className="form-error" role="alert">{server.form}</p>}
        <button type="submit" className="btn btn-primary wide" disabled={!valid || busy}>{busy ? 'Registering…' : 'Register'}</button>
        <Link to="/login" className="link-btn center">Already have an account? Sign In</Link>
      </form>
    </main>
  );
}

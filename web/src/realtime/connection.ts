// The websocket connection: opens it, keeps it alive (ping), reconnects with
// backoff, renews the session when a connection is refused before `hello`,
// backs off for a minute when the profile has too many connections (4029),
// and after every `hello` sends what the store says resumes the session
// (`resume` and the unacknowledged `chat.send` frames). It knows nothing of
// chats: it publishes the server's frames and its status.

import { BehaviorSubject, Subject } from 'rxjs';
import { CLOSE_TOO_MANY, type ClientFrame, type ServerFrame } from './protocol';

export type Status = 'idle' | 'connecting' | 'online' | 'offline';

export interface ConnectionStatus {
  status: Status;
  /** Why the connection is down, when it is not simply lost (shown instead of "Reconnecting…"). */
  offlineReason?: string;
}

/** The subset of WebSocket the connection uses (tests pass a stand-in). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

export interface ConnectionDeps {
  /** Opens the websocket (default: same-origin /ws). */
  connect?: () => SocketLike;
  /** Renews the session after a refused connection; false = logged out. */
  renewSession?: () => Promise<boolean>;
  /** Delay before reconnect attempt n (0-based), in ms. */
  backoff?: (attempt: number) => number;
  /** The frames to send after each hello (resume, resends), asked after the hello frame is published. */
  resumeFrames?: () => ClientFrame[];
}

export const PING_EVERY_MS = 25000;
/**
 * TOO_MANY_RETRY_MS is how long to wait before trying again after CLOSE_TOO_MANY:
 * retrying sooner would be refused again (a reconnect loop in every extra tab),
 * but the user may close other tabs, so this one comes back on its own.
 */
export const TOO_MANY_RETRY_MS = 60000;
export const TOO_MANY_MESSAGE = 'Too many open tabs or devices: close some, this tab retries in a minute.';

const defaultBackoff = (n: number) => Math.min(15000, 500 * 2 ** n);

/** Connection owns one websocket at a time and replaces it when it closes, until stop. */
export class Connection {
  /** The connection's status; starts idle. */
  readonly status$ = new BehaviorSubject<ConnectionStatus>({ status: 'idle' });
  /** Every frame the server sends, parsed. */
  readonly frames$ = new Subject<ServerFrame>();

  private sock?: SocketLike;
  private running = false;
  private helloSeen = false;
  private attempt = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;

  constructor(private readonly deps: ConnectionDeps = {}) {}

  /** start connects (and keeps reconnecting) until stop. */
  start() {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** stop closes the connection for good (logout). */
  stop() {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const s = this.sock;
    this.sock = undefined;
    s?.close(1000);
    this.attempt = 0;
    this.status$.next({ status: 'idle' });
  }

  /** reconnect drops the connection and opens a new one at once (after a session refresh). */
  reconnect() {
    if (!this.running) return;
    const s = this.sock;
    this.sock = undefined;
    s?.close(1000);
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  /** send sends a frame if the server has said hello on the current connection; false if not. */
  send(f: ClientFrame): boolean {
    if (!this.sock || !this.helloSeen) return false;
    try {
      this.sock.send(JSON.stringify(f));
      return true;
    } catch {
      return false;
    }
  }

  private open() {
    this.helloSeen = false;
    this.status$.next({ status: 'connecting' });
    let s: SocketLike;
    try {
      s = (this.deps.connect ?? defaultConnect)();
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.sock = s;
    s.onmessage = (ev) => {
      if (this.sock !== s) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (frame.type === 'hello') this.welcome(frame);
      else this.frames$.next(frame);
    };
    s.onclose = (ev) => {
      if (this.sock !== s) return;
      this.sock = undefined;
      clearInterval(this.pingTimer);
      const tooMany = ev?.code === CLOSE_TOO_MANY;
      this.status$.next({ status: this.running ? 'offline' : 'idle', offlineReason: tooMany ? TOO_MANY_MESSAGE : undefined });
      if (!this.running) return;
      // Refused for too many connections: the session is fine (no renewal),
      // and retrying at once would only be refused again.
      if (tooMany) this.scheduleReconnect(TOO_MANY_RETRY_MS);
      else void this.afterClose(this.helloSeen);
    };
    s.onerror = () => {};
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
  }

  /** welcome takes a hello: the connection is up; then it resumes the session. */
  private welcome(frame: Extract<ServerFrame, { type: 'hello' }>) {
    this.helloSeen = true;
    this.attempt = 0;
    this.frames$.next(frame);
    this.status$.next({ status: 'online' });
    // Ask for whatever we missed while away, then resend unacknowledged
    // messages (chat.send ids make the resend idempotent).
    for (const f of this.deps.resumeFrames?.() ?? []) this.send(f);
  }

  private async afterClose(wasWelcomed: boolean) {
    // A connection refused before hello is most likely an expired access
    // token: renew the session first; if that fails we are logged out.
    if (!wasWelcomed && this.deps.renewSession) {
      const ok = await this.deps.renewSession().catch(() => true);
      if (!ok || !this.running) return;
    }
    this.scheduleReconnect();
  }

  /** scheduleReconnect opens a new connection after delay (default: the next backoff step). */
  private scheduleReconnect(delay?: number) {
    delay ??= (this.deps.backoff ?? defaultBackoff)(this.attempt++);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.running && !this.sock && this.open(), delay);
  }
}

function defaultConnect(): SocketLike {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocket(`${proto}//${window.location.host}/ws`);
}

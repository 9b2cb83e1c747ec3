// A stand-in for the browser's WebSocket, for tests: it records what is sent
// and lets the test play the server.
import type { SocketLike } from './connection';
import type { ClientFrame, ServerFrame } from './protocol';

export class FakeSocket implements SocketLike {
  sent: ClientFrame[] = [];
  closed = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  /** server delivers a frame from the server. */
  server(f: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) } as MessageEvent);
  }
  /** drop closes the connection from the server's side. */
  drop(code = 1001) {
    this.onclose?.({ code } as CloseEvent);
  }
  frames(type: ClientFrame['type']) {
    return this.sent.filter((f) => f.type === type);
  }
}

/**
 * The browser's WebSocket (not ours), driven by a test as the server would: the call engines'
 * and the presence socket's unit tests install it as `globalThis.WebSocket`.
 */
export class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: { type: string; [key: string]: unknown }[] = [];
  /** The close code the code under test closed with (null while open). */
  closedBy: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closedBy = code ?? 1005;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  /** The server (or the network) closes the connection. */
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

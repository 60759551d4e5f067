/*
 * The socket.io connection to the assistant's channel (docs/security.md): the conversation is
 * continued only with its token, messages go only once the server has confirmed the session,
 * and a failure to connect is told apart as "offline" or "this site is not allowed".
 *
 * A refused origin gets a 400 without CORS headers, which the browser reports to a script
 * exactly like a server that is down. So after a failure the widget asks twice: a CORS request
 * fails for both, a no-cors request (its answer unreadable, but it arrives) only when the
 * server cannot be reached.
 */

const DIAGNOSE_EVERY_MS = 15000;

class Connection {
  /** ``events``: confirmed(session), message(payload), turnEnd(), offline(), refused(origin). */
  constructor(options, events) {
    this.options = options;
    this.events = events;
    this.socket = null;
    this.confirmed = false;
    this.lastDiagnosis = 0;
    this.state = "connecting";
  }

  get ready() {
    return Boolean(this.socket && this.socket.connected && this.confirmed);
  }

  connect(session) {
    const { server, socketPath } = this.options;
    this.session = session;
    this.socket = io(server, { path: socketPath, reconnectionDelay: 1000, reconnectionDelayMax: 4000, timeout: 10000 });
    this.socket.on("connect", () => {
      this.confirmed = false;
      // The server continues the conversation only for its token; without one it starts a new one.
      this.socket.emit("session_request", { session_id: this.session.id, token: this.session.token });
    });
    this.socket.on("session_confirm", (data) => {
      this.session = {
        id: typeof data === "string" ? data : data && data.session_id,
        token: data && typeof data.token === "string" ? data.token : null,
      };
      this.confirmed = true;
      this.state = "online";
      this.events.confirmed(this.session);
    });
    this.socket.on("bot_uttered", (payload) => this.events.message(payload));
    this.socket.on("bot_turn_end", () => this.events.turnEnd());
    this.socket.on("disconnect", (reason) => {
      this.failed();
      // The client reconnects by itself unless the server closed the connection on purpose.
      if (reason === "io server disconnect") setTimeout(() => this.socket.connect(), 1000);
    });
    this.socket.on("connect_error", () => this.failed());
  }

  /** Send a message of the confirmed conversation; false when it must wait for the connection. */
  send(message) {
    if (!this.ready) return false;
    this.socket.emit("user_uttered", { message, session_id: this.session.id, token: this.session.token });
    return true;
  }

  /** Forget the conversation: the server issues a new one. */
  newSession() {
    this.session = { id: null, token: null };
    this.confirmed = false;
    if (this.socket && this.socket.connected) this.socket.emit("session_request", { session_id: null, token: null });
  }

  failed() {
    this.confirmed = false;
    if (this.state !== "refused") {
      this.state = "offline";
      this.events.offline();
    }
    const now = Date.now();
    if (now - this.lastDiagnosis < DIAGNOSE_EVERY_MS) return;
    this.lastDiagnosis = now;
    this.diagnose().then((refused) => {
      if (this.ready) return;
      if (refused) {
        this.state = "refused";
        this.events.refused(window.location.origin);
      } else if (this.state === "refused") {
        this.state = "offline";
        this.events.offline();
      }
    });
  }

  /** Whether the server answers this page's requests but refuses its origin. */
  async diagnose() {
    const url = `${this.options.server}${this.options.socketPath.replace(/\/+$/, "")}/?EIO=4&transport=polling&t=${Date.now()}`;
    try {
      await fetch(url, { mode: "cors", credentials: "omit", cache: "no-store" });
      return false; // allowed: whatever failed, it was not the origin
    } catch (error) {
      try {
        await fetch(url, { mode: "no-cors", credentials: "omit", cache: "no-store" });
        return true; // the server is there, but this page may not read its answers
      } catch (unreachable) {
        return false;
      }
    }
  }
}

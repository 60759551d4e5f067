/*
 * The chat widget: one <script> tag with data attributes puts it on a page (docs/widget.md).
 * It talks to Rasa's socket.io channel, keeps the conversation's id, its token (issued by the
 * server, docs/security.md) and the transcript in the tab's sessionStorage only, and builds
 * every element with createElement/textContent.
 * Built by web/build.mjs inside one function together with format.js and socket.io-client
 * (`io`), so nothing but `window.DasgWidget` reaches the page's global scope.
 */

const TEXT = {
  title: "Domestic abuse and safeguarding children: guidance",
  notice:
    "This assistant supports your professional judgement and local safeguarding procedures; " +
    "it does not replace them. Please do not type names or other details that could identify a child or family.",
  danger: "If a child or adult is in immediate danger, call 999.",
  placeholder: "Ask a question",
  inputLabel: "Your question",
  send: "Send",
  restart: "Start again",
  restartDone: "The conversation has been cleared.",
  launcher: "Ask the guidance assistant",
  close: "Close",
  log: "Conversation",
  suggestions: "Suggested replies",
  typing: "The assistant is typing",
  you: "You said",
  bot: "The assistant said",
  connecting: "Connecting to the assistant…",
  offline: "You are offline: the assistant cannot be reached. Trying to reconnect… Messages you send will go when the connection is back.",
  online: "Connected again.",
  queued: "Waiting to send",
};

const MAX_STORED_MESSAGES = 200;
const TYPING_TIMEOUT_MS = 45000;
const QUIET_AFTER_REPLY_MS = 1500;

function readOptions(script) {
  const data = (script && script.dataset) || {};
  const fromScript = script && script.src ? new URL(".", script.src).origin : window.location.origin;
  return {
    server: (data.server || fromScript).replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io",
    title: data.title || TEXT.title,
    accent: parseHexColour(data.accentColour || data.accentColor),
    background: parseHexColour(data.backgroundColour || data.backgroundColor),
    container: data.container || "",
    open: data.open === "true",
    storageKey: "dasg-widget:" + (data.storageKey || data.server || fromScript),
  };
}

/** "#abc" or "#aabbcc" as [r, g, b], anything else null (so a typo falls back to the default). */
function parseHexColour(value) {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || "").trim());
  if (!match) return null;
  const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

/** White or near-black, whichever reads better on rgb (one of them always passes WCAG AA). */
function readableOn(rgb) {
  const dark = [17, 17, 17];
  return contrast(rgb, [255, 255, 255]) >= contrast(rgb, dark) ? "#ffffff" : "#111111";
}

const css = (rgb) => `rgb(${rgb.join(", ")})`;

function el(tag, attributes, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children || []) if (child) node.append(child);
  return node;
}

/** DOM for parsed inline nodes: text nodes, <strong> and <a target=_blank>, nothing else. */
function renderInline(nodes) {
  const fragment = document.createDocumentFragment();
  for (const node of nodes) {
    if (node.type === "strong") fragment.append(el("strong", {}, [renderInline(node.children)]));
    else if (node.type === "link") {
      fragment.append(el("a", { href: node.href, target: "_blank", rel: "noopener noreferrer", text: node.text }));
    } else fragment.append(document.createTextNode(node.text));
  }
  return fragment;
}

/** Text from a local service directory: lines of plain text, no formatting at all (not even links). */
const PLAIN_TEXT_TYPES = new Set(["directory_service"]);

function renderPlainLines(text) {
  const paragraph = el("p");
  text.split("\n").forEach((line, i) => {
    if (i) paragraph.append(el("br"));
    paragraph.append(document.createTextNode(line));
  });
  return paragraph;
}

function renderBlocks(blocks) {
  const fragment = document.createDocumentFragment();
  for (const block of blocks) {
    if (block.type === "list") {
      const list = el(block.ordered ? "ol" : "ul", block.ordered && block.start !== 1 ? { start: block.start } : {});
      for (const item of block.items) list.append(el("li", {}, [renderInline(item)]));
      fragment.append(list);
    } else {
      const paragraph = el("p");
      block.lines.forEach((line, i) => {
        if (i) paragraph.append(el("br"));
        paragraph.append(renderInline(line));
      });
      fragment.append(paragraph);
    }
  }
  return fragment;
}

class SessionStore {
  /** The session id, its token and the transcript, in this tab's sessionStorage only. */
  constructor(key) {
    this.key = key;
  }

  read(name, fallback) {
    try {
      const raw = window.sessionStorage.getItem(`${this.key}:${name}`);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (error) {
      return fallback;
    }
  }

  write(name, value) {
    try {
      window.sessionStorage.setItem(`${this.key}:${name}`, JSON.stringify(value));
    } catch (error) {
      /* storage full or disabled: the conversation just will not survive a reload */
    }
  }

  clear() {
    for (const name of ["session", "token", "transcript", "open"]) {
      try {
        window.sessionStorage.removeItem(`${this.key}:${name}`);
      } catch (error) {
        /* nothing to clear */
      }
    }
  }
}

class ChatWidget {
  constructor(options, host) {
    this.options = options;
    this.store = new SessionStore(options.storageKey);
    this.sessionId = this.store.read("session", null);
    this.token = this.store.read("token", null);
    const stored = this.store.read("transcript", []);
    this.transcript = Array.isArray(stored) ? stored.filter((m) => m && typeof m === "object") : [];
    this.pending = [];
    this.confirmed = false;
    this.offline = false;
    this.host = host;
    this.root = host.attachShadow({ mode: "open" });
    this.build();
    this.restore();
    this.connect();
  }

  build() {
    const { options } = this;
    const launcherMode = !options.container;
    this.styleRoot();
    this.titleId = "dasg-title";
    this.heading = el("h2", { id: this.titleId, className: "title", text: options.title });
    this.restartButton = el("button", { type: "button", className: "restart", text: TEXT.restart });
    this.restartButton.addEventListener("click", () => this.restart());
    const headerChildren = [this.heading, this.restartButton];
    if (launcherMode) {
      this.closeButton = el("button", { type: "button", className: "close", "aria-label": TEXT.close, text: "×" });
      this.closeButton.addEventListener("click", () => this.setOpen(false));
      headerChildren.push(this.closeButton);
    }
    this.status = el("p", { className: "status", role: "status", hidden: true });
    this.list = el("ol", { className: "messages" });
    this.log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0" }, [this.list]);
    this.typing = el("p", { className: "typing", role: "status", hidden: true }, [
      el("span", { className: "visually-hidden", text: TEXT.typing }),
      el("span", { className: "dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
    ]);
    this.input = el("textarea", {
      id: "dasg-input", rows: "2", placeholder: TEXT.placeholder, autocomplete: "off", maxlength: "2000",
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    const form = el("form", { className: "composer" }, [
      el("label", { for: "dasg-input", className: "visually-hidden", text: TEXT.inputLabel }),
      this.input,
      el("button", { type: "submit", className: "send", text: TEXT.send }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.panel = el("section", { className: "panel", "aria-labelledby": this.titleId }, [
      el("header", {}, headerChildren),
      el("div", { className: "notices" }, [
        el("p", { className: "danger" }, [el("strong", { text: TEXT.danger })]),
        el("p", { className: "notice", text: TEXT.notice }),
      ]),
      this.status,
      this.log,
      this.typing,
      form,
    ]);
    this.root.append(this.panel);
    if (launcherMode) {
      this.host.classList.add("dasg-floating");
      this.launcher = el("button", { type: "button", className: "launcher", "aria-expanded": "false", text: TEXT.launcher });
      this.launcher.addEventListener("click", () => this.setOpen(true));
      this.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.setOpen(false);
      });
      this.root.append(this.launcher);
      this.setOpen(options.open || this.store.read("open", false), false);
    }
  }

  styleRoot() {
    const { accent, background } = this.options;
    const rules = [WIDGET_CSS];
    const vars = [];
    if (accent) vars.push(`--dasg-accent: ${css(accent)}`, `--dasg-on-accent: ${readableOn(accent)}`);
    if (background) {
      const text = readableOn(background);
      vars.push(`--dasg-background: ${css(background)}`, `--dasg-text: ${text}`, `--dasg-muted: ${text}`);
    }
    if (vars.length) rules.push(`:host { ${vars.join("; ")}; }`);
    if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(rules.join("\n"));
      this.root.adoptedStyleSheets = [sheet];
    } else {
      this.root.append(el("style", { text: rules.join("\n") }));
    }
  }

  setOpen(open, moveFocus = true) {
    if (!this.launcher) return;
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.store.write("open", open);
    if (!moveFocus) return;
    if (open) this.input.focus();
    else this.launcher.focus();
  }

  /* ---- the conversation on screen ---- */

  restore() {
    for (const message of this.transcript) this.render(message);
    this.scrollToEnd();
  }

  record(message) {
    this.transcript.push(message);
    if (this.transcript.length > MAX_STORED_MESSAGES) this.transcript.splice(0, this.transcript.length - MAX_STORED_MESSAGES);
    this.store.write("transcript", this.transcript);
    const item = this.render(message);
    if (message.from === "user") this.firstReply = null;
    else if (item && !this.firstReply) this.firstReply = item;
    if (!this.firstReply) {
      this.scrollToEnd();
      return;
    }
    // Bring the turn's first reply to the top (or as far as it goes): a long answer is read from its start.
    const top = this.firstReply.getBoundingClientRect().top - this.log.getBoundingClientRect().top + this.log.scrollTop;
    this.log.scrollTop = top - 8;
  }

  render(message) {
    const item = message.from === "user" ? this.renderUser(message) : this.renderBot(message);
    if (item) this.list.append(item);
    return item;
  }

  renderUser(message) {
    return el("li", { className: "message user" }, [
      el("span", { className: "visually-hidden", text: `${TEXT.you}: ` }),
      el("p", { text: message.text }),
    ]);
  }

  renderBot(message) {
    const custom = message.custom && typeof message.custom === "object" ? message.custom : {};
    const kind = typeof custom.type === "string" ? custom.type : "";
    const parsed = parseMessage(message.text || "", custom);
    if (!parsed.blocks.length && !parsed.sources.length && !(message.quick_replies || []).length) return null;
    const item = el("li", { className: "message bot", "data-type": kind.replace(/[^a-z0-9_-]/gi, "") || false });
    if (kind === "immediate_danger" || kind === "danger") item.classList.add("urgent");
    item.append(el("span", { className: "visually-hidden", text: `${TEXT.bot}: ` }));
    const body = PLAIN_TEXT_TYPES.has(kind) ? renderPlainLines(message.text || "") : renderBlocks(parsed.blocks);
    item.append(el("div", { className: "body" }, [body]));
    if (parsed.sources.length) {
      const sources = el("div", { className: "source" });
      for (const source of parsed.sources) sources.append(el("p", { text: `Source: ${source}` }));
      item.append(sources);
    }
    const replies = (message.quick_replies || []).filter((r) => r && typeof r.title === "string");
    if (replies.length) {
      const group = el("div", { className: "quick-replies", role: "group", "aria-label": TEXT.suggestions });
      for (const reply of replies) {
        const button = el("button", { type: "button", className: "quick-reply", text: reply.title });
        button.addEventListener("click", () => {
          this.send(String(reply.payload || reply.title), reply.title);
          this.input.focus();
        });
        group.append(button);
      }
      item.append(group);
    }
    return item;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) this.typingTimer = setTimeout(() => this.showTyping(false), TYPING_TIMEOUT_MS);
  }

  /** Show (or, with no text, hide) the status line; `clearAfter` ms later it goes if unchanged. */
  setStatus(text, kind, clearAfter) {
    clearTimeout(this.statusTimer);
    this.statusKind = text ? kind || "info" : "";
    this.status.textContent = text || "";
    this.status.hidden = !text;
    if (text && clearAfter) this.statusTimer = setTimeout(() => this.setStatus(""), clearAfter);
  }

  /* ---- talking to the server ---- */

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.send(text, text);
  }

  /** Show `shown` as the user's message and send `message` (a button's payload, or the text). */
  send(message, shown) {
    this.record({ from: "user", text: shown });
    this.pending.push(message);
    this.showTyping(true);
    this.flush();
  }

  flush() {
    if (!this.socket || !this.socket.connected || !this.confirmed) return;
    while (this.pending.length) {
      this.socket.emit("user_uttered", { message: this.pending.shift(), session_id: this.sessionId, token: this.token });
    }
  }

  connect() {
    const { server, socketPath } = this.options;
    this.setStatus(TEXT.connecting, "connecting");
    this.socket = io(server, {
      path: socketPath,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 4000,
      timeout: 10000,
    });
    this.socket.on("connect", () => {
      this.confirmed = false;
      // The server continues the conversation only for its token; without one it starts a new one.
      this.socket.emit("session_request", { session_id: this.sessionId, token: this.token });
    });
    this.socket.on("session_confirm", (session) => {
      this.sessionId = typeof session === "string" ? session : session && session.session_id;
      this.token = session && typeof session.token === "string" ? session.token : null;
      this.store.write("session", this.sessionId);
      this.store.write("token", this.token);
      this.confirmed = true;
      if (this.offline) this.setStatus(TEXT.online, "online", 4000);
      else if (this.statusKind === "connecting") this.setStatus("");
      this.offline = false;
      this.flush();
    });
    this.socket.on("bot_uttered", (payload) => this.receive(payload));
    this.socket.on("bot_turn_end", () => this.showTyping(false));
    const goneOffline = () => {
      this.confirmed = false;
      this.offline = true;
      this.setStatus(TEXT.offline, "offline");
    };
    this.socket.on("disconnect", (reason) => {
      goneOffline();
      // The client reconnects by itself unless the server closed the connection on purpose.
      if (reason === "io server disconnect") setTimeout(() => this.socket.connect(), 1000);
    });
    this.socket.on("connect_error", goneOffline);
  }

  receive(payload) {
    if (!payload || typeof payload !== "object") return;
    const message = {
      from: "bot",
      text: typeof payload.text === "string" ? payload.text : "",
      quick_replies: Array.isArray(payload.quick_replies) ? payload.quick_replies : [],
      custom: payload.custom && typeof payload.custom === "object" ? payload.custom : null,
    };
    // Rasa's stock channel sends a custom payload as its own event: join it to the text before.
    const last = this.transcript[this.transcript.length - 1];
    if (!message.text && !message.quick_replies.length && message.custom && last && last.from === "bot" && !last.custom) {
      last.custom = message.custom;
      this.store.write("transcript", this.transcript);
      return;
    }
    this.record(message);
    // Without an end-of-turn event (a stock Rasa server) hide the indicator after a quiet spell.
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.showTyping(false), QUIET_AFTER_REPLY_MS);
  }

  restart() {
    this.store.clear();
    this.transcript = [];
    this.pending = [];
    this.list.replaceChildren();
    this.firstReply = null;
    this.showTyping(false);
    this.sessionId = null;
    this.token = null;
    this.confirmed = false;
    if (this.socket && this.socket.connected) this.socket.emit("session_request", { session_id: null, token: null });
    if (!this.offline) this.setStatus(TEXT.restartDone, "restart", 4000);
    this.input.value = "";
    this.input.focus();
  }
}

function start(script) {
  const options = readOptions(script);
  let host;
  if (options.container) {
    host = document.querySelector(options.container);
    if (!host) throw new Error(`DasgWidget: no element matches data-container="${options.container}"`);
  } else {
    host = document.createElement("div");
    document.body.append(host);
  }
  host.classList.add("dasg-widget-host");
  return new ChatWidget(options, host);
}

const currentScript = document.currentScript;
window.DasgWidget = {
  start: () => start(currentScript),
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => window.DasgWidget.start());
else window.DasgWidget.start();

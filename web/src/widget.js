/*
 * The chat widget: one <script> tag with data attributes puts it on a page (docs/widget.md).
 * It talks to the assistant's socket.io channel (connection.js), keeps the conversation's id,
 * its token and the transcript in the tab's sessionStorage only, and builds every element with
 * createElement/textContent (dom.js, messages.js).
 * Built by web/build.mjs inside one function with the other sources and socket.io-client
 * (`io`), so nothing but `window.DasgWidget` reaches the page's global scope.
 */

const MAX_STORED_MESSAGES = 200;
const TYPING_TIMEOUT_MS = 45000;
const QUIET_AFTER_REPLY_MS = 1500;
const NEAR_LIMIT = 100; // characters left when the count turns to a warning
const LOCAL_SERVICES = "ask_local_services";

class ChatWidget {
  constructor(options, host) {
    this.options = options;
    this.store = new SessionStore(options.storageKey);
    const stored = this.store.read("transcript", []);
    this.transcript = Array.isArray(stored) ? stored.filter((m) => m && typeof m === "object") : [];
    this.items = new WeakMap(); // transcript message -> its element
    this.outbox = []; // {message, entry?}: what waits for the connection, in order
    this.host = host;
    this.root = host.attachShadow({ mode: "open" });
    this.views = new MessageViews({
      reply: (message, reply, button, event) => this.chooseReply(message, reply, button, event),
      vote: (message, vote, payload, wrapper) => this.vote(message, vote, payload, wrapper),
      copy: (message, button) => this.copy(message, button),
    });
    this.printer = new PrintedTranscript(options.title);
    this.connection = new Connection(options, {
      confirmed: (session) => this.confirmed(session),
      message: (payload) => this.receive(payload),
      turnEnd: () => this.showTyping(false),
      offline: () => this.unreachable(TEXT.offline, "offline"),
      refused: (origin) => this.refused(origin),
    });
    buildInterface(this);
    this.restore();
    this.connection.connect({ id: this.store.read("session", null), token: this.store.read("token", null) });
  }

  setOpen(open, moveFocus = true) {
    if (!this.launcher) return;
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.host.classList.toggle("dasg-open", open);
    this.store.write("open", open);
    if (open) this.scrollToAnswer();
    if (!moveFocus) return;
    if (open) this.input.focus();
    else this.launcher.focus();
  }

  /* ---- the conversation on screen ---- */

  restore() {
    for (const message of this.transcript) {
      this.render(message);
      if (message.from === "user" && message.queued) this.outbox.push({ message: message.send || message.text, entry: message });
    }
    this.retireStarters();
    this.scrollToAnswer();
  }

  record(message) {
    this.transcript.push(message);
    if (this.transcript.length > MAX_STORED_MESSAGES) this.transcript.splice(0, this.transcript.length - MAX_STORED_MESSAGES);
    this.save();
    const item = this.render(message);
    if (message.from === "user") {
      this.answerStart = null;
      this.scrollToEnd();
    } else {
      if (item && !this.answerStart && typeOf(message) !== "opening_notice") this.answerStart = item;
      this.scrollToAnswer();
    }
  }

  save() {
    this.store.write("transcript", this.transcript);
  }

  render(message) {
    const item = message.from === "user" ? this.views.user(message) : this.views.bot(message);
    if (item) {
      this.list.append(item);
      this.items.set(message, item);
    }
    return item;
  }

  /** The start of the latest answer at the top of the conversation (a long answer is read from its start). */
  scrollToAnswer() {
    const start = this.answerStart;
    if (!start || !start.isConnected) {
      this.scrollToEnd();
      return;
    }
    const top = start.getBoundingClientRect().top - this.log.getBoundingClientRect().top + this.log.scrollTop;
    this.log.scrollTop = top - 8;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Suggested replies of earlier turns can no longer be used: disabled, and out of the tab order. */
  retireReplies() {
    for (const message of this.transcript) if (message.from === "bot" && quickReplies(message).length) message.done = true;
    this.views.retire(this.list);
    this.retireStarters();
  }

  retireStarters() {
    if (this.transcript.some((m) => m.from === "user")) this.views.retire(this.intro);
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
    this.status.dataset.kind = this.statusKind;
    if (text && clearAfter) this.statusTimer = setTimeout(() => this.setStatus(""), clearAfter);
  }

  /** A passing note (copied, cleared) that never hides why the assistant cannot be reached. */
  notify(text) {
    if (this.statusKind !== "offline" && this.statusKind !== "refused") this.setStatus(text, "note", 4000);
  }

  unreachable(text, kind) {
    this.setStatus(text, kind);
    this.dangerBar.classList.add("emphasis");
  }

  refused(origin) {
    console.error(`DasgWidget: the assistant at ${this.options.server} refused this page's origin ${origin}. ` +
      "Add it to allowed_origins in the assistant's config/web.yml and restart the Rasa server (docs/security.md).");
    this.unreachable(TEXT.refused(origin), "refused");
  }

  updateCount() {
    const used = this.input.value.length;
    const left = this.options.maxLength - used;
    const near = left <= NEAR_LIMIT;
    this.count.textContent = TEXT.charactersOf(used, this.options.maxLength) + (near ? ` (${TEXT.charactersLeft(left)})` : "");
    this.count.classList.toggle("near", near);
  }

  /* ---- what the user does ---- */

  /** Send the draft, unless it seems to hold personal details: then warn first (privacy.js). */
  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    const kinds = personalDetailKinds(text, PRIVACY_DATA);
    if (kinds.length) this.openPrivacyWarning(kinds);
    else this.sendDraft(text);
  }

  sendDraft(text) {
    this.input.value = "";
    this.updateCount();
    this.send(text, text);
  }

  openPrivacyWarning(kinds) {
    this.privacyText.textContent = privacyWarning(kinds);
    this.privacyBox.hidden = false;
    this.privacyEdit.focus();
  }

  /** Edit (or Escape): back to the draft as it was. Send anyway: the draft goes, once. */
  closePrivacyWarning(sendAnyway) {
    if (this.privacyBox.hidden) return;
    this.privacyBox.hidden = true;
    const text = this.input.value.trim();
    if (sendAnyway && text) this.sendDraft(text);
    this.input.focus();
  }

  /** Show `shown` as the user's message and send `message` (a button's payload, or the text). */
  send(message, shown) {
    this.retireReplies();
    const entry = { from: "user", text: shown, at: new Date().toISOString(), queued: true, send: message };
    this.record(entry);
    this.outbox.push({ message, entry });
    this.showTyping(true);
    this.flush();
  }

  /** Send a payload that is not shown as a message (a vote, the preset area). */
  sendQuietly(message, typing) {
    this.outbox.push({ message });
    if (typing) this.showTyping(true);
    this.flush();
  }

  flush() {
    while (this.outbox.length && this.connection.send(this.outbox[0].message)) {
      const { entry } = this.outbox.shift();
      if (!entry) continue;
      entry.queued = false;
      delete entry.send;
      this.views.sent(this.items.get(entry));
      this.save();
    }
  }

  chooseReply(message, reply, button, event) {
    message.chosen = reply.title;
    button.classList.add("chosen");
    this.send(String(reply.payload || reply.title), reply.title);
    // A tap keeps the on-screen keyboard down; a click or the keyboard goes back to the text box.
    if (event && event.pointerType === "touch") this.log.focus({ preventScroll: true });
    else this.input.focus({ preventScroll: true });
  }

  vote(message, vote, payload, wrapper) {
    message.vote = vote;
    this.save();
    this.views.voted(message, wrapper);
    this.sendQuietly(payload, false);
  }

  async copy(message, button) {
    const done = await writeClipboard(copyText(message, this.options.title), this.root);
    this.notify(done ? TEXT.copiedStatus : TEXT.copyFailed);
    if (!done) return;
    button.textContent = TEXT.copied;
    setTimeout(() => { button.textContent = TEXT.copy; }, 2000);
  }

  openConfirm() {
    this.confirmBox.hidden = false;
    for (const part of this.behindConfirm) part.inert = true;
    this.confirmNo.focus();
  }

  closeConfirm(restart) {
    this.confirmBox.hidden = true;
    for (const part of this.behindConfirm) part.inert = false;
    if (restart) this.restart();
    else this.restartButton.focus();
  }

  restart() {
    this.store.clear();
    this.transcript = [];
    this.outbox = [];
    this.list.replaceChildren();
    this.intro = buildIntro(this);
    this.list.append(this.intro);
    this.answerStart = null;
    this.privacyBox.hidden = true;
    this.showTyping(false);
    this.connection.newSession();
    this.notify(TEXT.restartDone);
    if (this.launcher) this.store.write("open", true);
    this.input.value = "";
    this.updateCount();
    this.input.focus();
  }

  /* ---- what the server does ---- */

  confirmed(session) {
    this.store.write("session", session.id);
    this.store.write("token", session.token);
    if (this.statusKind === "offline" || this.statusKind === "refused") this.setStatus(TEXT.online, "online", 4000);
    else if (this.statusKind === "connecting") this.setStatus("");
    this.dangerBar.classList.remove("emphasis");
    this.flush();
  }

  receive(payload) {
    if (!payload || typeof payload !== "object") return;
    const message = {
      from: "bot",
      text: typeof payload.text === "string" ? payload.text : "",
      quick_replies: Array.isArray(payload.quick_replies) ? payload.quick_replies : [],
      custom: payload.custom && typeof payload.custom === "object" ? payload.custom : null,
      at: new Date().toISOString(),
    };
    // Rasa's stock channel sends a custom payload as its own event: join it to the text before.
    const last = this.transcript[this.transcript.length - 1];
    if (!message.text && !message.quick_replies.length && message.custom && last && last.from === "bot" && !last.custom) {
      last.custom = message.custom;
      this.save();
      return;
    }
    if (typeOf(message) === "feedback_thanks") {
      this.thanked(message);
      return;
    }
    if (typeOf(message) === "directory_ask_area" && this.options.area && this.answerArea(message)) return;
    this.record(message);
    // Without an end-of-turn event (a stock Rasa server) hide the indicator after a quiet spell.
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.showTyping(false), QUIET_AFTER_REPLY_MS);
  }

  /** The thanks for a vote goes where the vote was given, not into the conversation. */
  thanked(message) {
    const entryId = customOf(message).entry_id;
    const voted = [...this.transcript].reverse()
      .find((m) => m.vote && !m.thanks && customOf(m).entry_id === entryId);
    if (!voted) return;
    voted.thanks = message.text;
    this.save();
    const item = this.items.get(voted);
    const shown = item && item.querySelector(".voted");
    if (shown) shown.textContent = message.text;
  }

  /** "Which area?" on a site that preset its area (data-area): answered for the user. */
  answerArea(message) {
    const area = presetAreaAnswer(message, this.options.area);
    if (area) {
      this.sendQuietly(`/${LOCAL_SERVICES}${JSON.stringify({ area })}`, true);
      return true;
    }
    const areas = customOf(message).areas;
    if (Array.isArray(areas) && !areas.some((a) => String(a).toLowerCase() === this.options.area.toLowerCase())) {
      console.warn(`DasgWidget: data-area="${this.options.area}" is not one of the assistant's areas (${areas.join(", ")}).`);
    }
    return false;
  }
}

function start(script) {
  const options = readOptions(script);
  let host;
  if (options.container) {
    host = document.querySelector(options.container);
    if (!host) throw new Error(`DasgWidget: no element matches data-container="${options.container}"`);
  } else {
    // An element name of its own, so a page's rules for div (`body > div {...}`) do not even match it.
    host = document.createElement("dasg-widget");
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

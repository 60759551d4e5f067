/*
 * One message of the conversation on screen: the user's words as plain text; the assistant's
 * formatted text, its "Source:" lines (each opens a panel with the document's details), its
 * suggested replies, the time, and for answers "Copy" and "Was this useful?".
 */

/** Text from a local service directory: shown as lines, with links but no other formatting. */
const PLAIN_TEXT_TYPES = new Set(["directory_service"]);
const URGENT_TYPES = new Set(["immediate_danger", "danger"]);

function customOf(message) {
  return message.custom && typeof message.custom === "object" ? message.custom : {};
}

function typeOf(message) {
  const kind = customOf(message).type;
  return typeof kind === "string" ? kind : "";
}

function quickReplies(message) {
  return (Array.isArray(message.quick_replies) ? message.quick_replies : []).filter((r) => r && typeof r.title === "string");
}

/** The citation of custom.citations that a "Source:" line shows, if the server sent its details. */
function citationFor(message, source) {
  const citations = Array.isArray(customOf(message).citations) ? customOf(message).citations : [];
  return citations.find((c) => c && c.citation === source && typeof c.title === "string") || null;
}

/** [label, value] pairs of a source's details: title, publisher, date, licence, section. */
function sourceDetails(citation) {
  const rows = [
    [TEXT.sourceDocument, citation.title],
    [TEXT.sourcePublisher, citation.publisher],
    [TEXT.sourceDate, formatSourceDate(citation.date)],
    [TEXT.sourceLicence, citation.licence],
    [TEXT.sourceSection, citation.section_title],
  ];
  return rows.filter(([, value]) => typeof value === "string" && value);
}

/** The answer with its sources in full, as plain text (what "Copy" puts on the clipboard). */
function inlineText(nodes) {
  const bare = (address) => address.replace(/^https:\/\//, "").replace(/\/$/, "");
  return nodes.map((n) => {
    if (n.type === "strong") return inlineText(n.children);
    // A link whose words are not its address: the address follows in brackets.
    if (n.type === "link" && n.href.startsWith("https:") && bare(n.text) !== bare(n.href)) return `${n.text} (${n.href})`;
    return n.text;
  }).join("");
}

function bodyText(message) {
  const parsed = parseMessage(message.text || "", customOf(message));
  if (PLAIN_TEXT_TYPES.has(typeOf(message))) return splitSources(message.text || "").body;
  return parsed.blocks.map((block) => {
    if (block.type === "paragraph") return block.lines.map(inlineText).join("\n");
    return block.items.map((item, i) => `${block.ordered ? `${block.start + i}.` : "-"} ${inlineText(item)}`).join("\n");
  }).join("\n\n");
}

function sourceText(message, source) {
  const citation = citationFor(message, source);
  const details = citation ? sourceDetails(citation).filter(([label]) => label !== TEXT.sourceSection) : [];
  return `${TEXT.sourceLabel}${source}${details.length ? `. ${details.map(([, value]) => value).join(". ")}.` : ""}`;
}

function copyText(message, title) {
  const { sources } = parseMessage(message.text || "", customOf(message));
  const lines = [bodyText(message)];
  if (sources.length) lines.push(sources.map((s) => sourceText(message, s)).join("\n"));
  lines.push(TEXT.copiedFrom(title, formatWhen(new Date())));
  return lines.join("\n\n");
}

class MessageViews {
  /** ``actions``: reply(message, reply, button, event), vote(message, vote, group), copy(message, button). */
  constructor(actions) {
    this.actions = actions;
  }

  user(message) {
    const item = el("li", { className: "message user" }, [
      el("span", { className: "visually-hidden", text: `${TEXT.youSaid}: ` }),
      el("p", { text: message.text }),
    ]);
    const meta = el("p", { className: "meta" }, [timeElement(message.at)]);
    if (message.queued) meta.append(el("span", { className: "pending", text: TEXT.queued }));
    item.append(meta);
    return item;
  }

  /** The message as sent: the "Waiting to send" mark goes. */
  sent(item) {
    const pending = item && item.querySelector(".pending");
    if (pending) pending.remove();
  }

  bot(message) {
    const kind = typeOf(message);
    const parsed = parseMessage(message.text || "", customOf(message));
    const replies = quickReplies(message);
    if (!parsed.blocks.length && !parsed.sources.length && !replies.length) return null;
    const item = el("li", { className: "message bot", "data-type": kind.replace(/[^a-z0-9_-]/gi, "") || false });
    if (URGENT_TYPES.has(kind)) item.classList.add("urgent");
    item.append(el("span", { className: "visually-hidden", text: `${TEXT.botSaid}: ` }));
    const body = PLAIN_TEXT_TYPES.has(kind) ? renderPlainLines(splitSources(message.text || "").body)
      : renderBlocks(parsed.blocks);
    item.append(el("div", { className: "body" }, [body]));
    if (parsed.sources.length) item.append(this.sources(message, parsed.sources));
    if (replies.length) item.append(this.replies(message, replies));
    item.append(this.meta(message, parsed.sources.length > 0));
    return item;
  }

  sources(message, sources) {
    const box = el("div", { className: "source" });
    for (const source of sources) {
      const citation = citationFor(message, source);
      if (!citation) {
        box.append(el("p", { text: `${TEXT.sourceLabel}${source}` }));
        continue;
      }
      const list = el("dl");
      for (const [label, value] of sourceDetails(citation)) list.append(el("dt", { text: label }), el("dd", { text: value }));
      box.append(el("details", {}, [el("summary", { text: `${TEXT.sourceLabel}${source}` }), list]));
    }
    return box;
  }

  replies(message, replies) {
    const group = el("div", { className: "quick-replies", role: "group", "aria-label": TEXT.suggestions });
    for (const reply of replies) {
      const button = el("button", { type: "button", className: "quick-reply", text: reply.title });
      if (message.chosen === reply.title) button.classList.add("chosen");
      button.addEventListener("click", (event) => this.actions.reply(message, reply, button, event));
      group.append(button);
    }
    if (message.done) this.retire(group);
    return group;
  }

  /** Suggested replies that can no longer be used: disabled, so they also leave the tab order. */
  retire(scope) {
    for (const button of scope.querySelectorAll(".quick-reply")) button.disabled = true;
  }

  meta(message, hasSources) {
    const meta = el("div", { className: "meta" }, [timeElement(message.at)]);
    if (hasSources) {
      const copy = el("button", { type: "button", className: "tool copy", "aria-label": TEXT.copyLabel, text: TEXT.copy });
      copy.addEventListener("click", () => this.actions.copy(message, copy));
      meta.append(copy);
    }
    const feedback = customOf(message).feedback;
    if (typeOf(message) === "guidance" && feedback && typeof feedback.yes === "string" && typeof feedback.no === "string") {
      meta.append(this.feedback(message, feedback));
    }
    return meta;
  }

  feedback(message, payloads) {
    const wrapper = el("div", { className: "feedback" });
    if (message.vote) {
      wrapper.append(el("p", { className: "voted", tabindex: "-1", text: message.thanks || TEXT.voteSending }));
      return wrapper;
    }
    const id = `dasg-useful-${Math.random().toString(36).slice(2, 10)}`;
    const group = el("div", { className: "feedback-group", role: "group", "aria-labelledby": id }, [
      el("span", { id, text: TEXT.useful }),
    ]);
    for (const [vote, title] of [["yes", TEXT.yes], ["no", TEXT.no]]) {
      const button = el("button", { type: "button", className: "tool vote", text: title });
      button.addEventListener("click", () => this.actions.vote(message, vote, payloads[vote], wrapper));
      group.append(button);
    }
    wrapper.append(group);
    return wrapper;
  }

  /** After a vote: the buttons give way to the thanks (focus follows, so the keyboard is not lost). */
  voted(message, wrapper) {
    if (!wrapper) return;
    const hadFocus = wrapper.contains(wrapper.getRootNode().activeElement);
    const payloads = customOf(message).feedback;
    const replacement = this.feedback(message, payloads);
    wrapper.replaceWith(replacement);
    if (hadFocus) replacement.querySelector(".voted").focus();
    return replacement;
  }
}

/* ---- the warning before a draft with personal details is sent (privacy.js finds them) ---- */

const PRIVACY_TEXT = {
  kinds: {
    email: "an email address",
    phone: "a phone number",
    nhs_number: "an NHS number",
    ni_number: "a National Insurance number",
    postcode: "a postcode",
    date_of_birth: "a date of birth",
    name: "a person's name",
  },
  label: "Check your message before sending",
  edit: "Edit",
  sendAnyway: "Send anyway",
};

/** "This looks like a phone number and a postcode. Please remove details that could identify a child or family." */
function privacyWarning(kinds) {
  const named = kinds.map((kind) => PRIVACY_TEXT.kinds[kind]);
  const listed = named.length > 1 ? `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}` : named[0];
  return `This looks like ${listed}. Please remove details that could identify a child or family.`;
}

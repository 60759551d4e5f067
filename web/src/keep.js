/*
 * Taking the conversation away, with nothing sent anywhere: an answer copied with its sources,
 * and "Save conversation", a clean printable transcript (date and time, every message, sources
 * in full) that the browser prints or saves as PDF.
 *
 * The transcript is built in an element of its own at the end of the page's body, in its own
 * shadow root; while it exists a print stylesheet on the page shows only it. It goes after
 * printing, so the LSCP's page prints as usual otherwise.
 */

const PRINT_HOST = "dasg-print";
const PAGE_PRINT_RULES = `
${PRINT_HOST} { display: none !important; }
@media print {
  body > :not(${PRINT_HOST}) { display: none !important; }
  ${PRINT_HOST} { display: block !important; position: static !important; }
}`;

async function writeClipboard(text, root) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      /* refused (permissions, focus): try the older way below */
    }
  }
  const area = el("textarea", { className: "visually-hidden", "aria-hidden": "true", tabindex: "-1", readonly: true });
  area.value = text;
  root.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand("copy");
  } catch (error) {
    done = false;
  }
  area.remove();
  return done;
}

class PrintedTranscript {
  constructor(title) {
    this.title = title;
    this.host = null;
    this.removeRules = null;
  }

  /** Build the transcript, print it (the browser's dialog, where "Save as PDF" is), then remove it. */
  print(transcript) {
    this.remove();
    this.host = document.createElement(PRINT_HOST);
    this.host.className = "dasg-print-host";
    const root = this.host.attachShadow({ mode: "open" });
    adoptStyles(root, PRINT_CSS);
    root.append(this.document(transcript));
    document.body.append(this.host);
    this.removeRules = adoptStyles(document, PAGE_PRINT_RULES);
    const done = () => {
      window.removeEventListener("afterprint", done);
      this.remove();
    };
    window.addEventListener("afterprint", done);
    window.print();
  }

  remove() {
    if (this.removeRules) this.removeRules();
    if (this.host) this.host.remove();
    this.host = null;
    this.removeRules = null;
  }

  document(transcript) {
    const article = el("article", { className: "transcript" }, [
      el("h1", { text: TEXT.printHeading(this.title) }),
      el("p", { className: "saved", text: TEXT.printSaved(formatWhen(new Date())) }),
      el("p", { className: "notice", text: TEXT.notice }),
      el("p", { className: "danger" }, [dangerLine()]),
    ]);
    const list = el("ol", { className: "messages" });
    for (const message of transcript) {
      const item = message.from === "user" ? this.user(message) : this.bot(message);
      if (item) list.append(item);
    }
    article.append(list);
    return article;
  }

  who(name, message) {
    const time = formatTime(message.at);
    return el("p", { className: "who" }, [el("strong", { text: name }), time ? `, ${time}` : ""]);
  }

  user(message) {
    return el("li", { className: "user" }, [this.who(TEXT.you, message), el("p", { className: "text", text: message.text })]);
  }

  bot(message) {
    const custom = customOf(message);
    const parsed = parseMessage(message.text || "", custom);
    if (!parsed.blocks.length && !parsed.sources.length) return null;
    const body = PLAIN_TEXT_TYPES.has(typeOf(message)) ? renderPlainLines(splitSources(message.text || "").body)
      : renderBlocks(parsed.blocks);
    const item = el("li", { className: "bot" }, [this.who(TEXT.bot, message), el("div", { className: "text" }, [body])]);
    if (parsed.sources.length) {
      const sources = el("ul", { className: "sources" });
      for (const source of parsed.sources) sources.append(el("li", { text: sourceText(message, source) }));
      item.append(el("p", { className: "sources-heading", text: TEXT.sources }), sources);
    }
    return item;
  }
}

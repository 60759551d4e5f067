/*
 * What the embedding page says (the script tag's data attributes, docs/widget.md), and what the
 * widget keeps in the tab's sessionStorage (the conversation's id, its token and the transcript).
 */

const DEFAULT_MAX_LENGTH = 2000;

function readOptions(script) {
  const data = (script && script.dataset) || {};
  const fromScript = script && script.src ? new URL(".", script.src).origin : window.location.origin;
  const maxLength = parseInt(data.maxLength, 10);
  return {
    server: (data.server || fromScript).replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io",
    title: data.title || TEXT.title,
    accent: parseHexColour(data.accentColour || data.accentColor),
    background: parseHexColour(data.backgroundColour || data.backgroundColor),
    container: data.container || "",
    open: data.open === "true",
    area: (data.area || "").trim(),
    maxLength: maxLength > 0 ? maxLength : DEFAULT_MAX_LENGTH,
    storageKey: "dasg-widget:" + (data.storageKey || data.server || fromScript),
  };
}

/** The loaded area to answer "which area?" with, when the LSCP preset one and the question is the
 * plain one (not "did you mean ...?" nor "no directory for <a place the user named>"). */
function presetAreaAnswer(message, preset) {
  const custom = customOf(message);
  const areas = Array.isArray(custom.areas) ? custom.areas.filter((a) => typeof a === "string") : [];
  const area = areas.find((a) => a.toLowerCase() === preset.toLowerCase());
  const text = message.text || "";
  if (!area || areas.some((a) => text.toLowerCase().includes(a.toLowerCase()))) return null;
  // A place the user named is capitalised inside a sentence; the plain question names none.
  const inner = text.split(/(?<=[.?!:])\s+/).flatMap((sentence) => sentence.split(/\s+/).slice(1));
  return inner.some((word) => /^[A-Z][a-z]/.test(word) && !/^I\b/.test(word)) ? null : area;
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

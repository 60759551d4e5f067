// Build the widget into dist/: one script (socket.io-client and the sources in SOURCES, with the
// CSS inlined) and the local page. No bundler: the sources are plain browser JavaScript that share
// one function scope, in this order.
// Usage: node web/build.mjs   (run by scripts/setup.sh and `bot run`; about a tenth of a second)
// Imported (by web/test/privacy.test.mjs and benchmarks/pii.py), it builds nothing: privacyData() gives the lists.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const read = (path) => readFileSync(path, "utf8");

const socketIoDir = join(here, "node_modules", "socket.io-client");
const socketIoFile = join(socketIoDir, "dist", "socket.io.min.js");
const socketIoVersion = JSON.parse(read(join(socketIoDir, "package.json"))).version;
const socketIo = read(socketIoFile).replace(/\/\/# sourceMappingURL=.*\s*$/, "");
const version = JSON.parse(read(join(here, "package.json"))).version;
const SOURCES = ["format.js", "text.js", "dom.js", "privacy.js", "messages.js", "keep.js", "connection.js", "options.js",
  "ui.js", "widget.js"];
const STYLES = ["widget.css", "conversation.css"];

// The personal-detail warning's lists (web/src/privacy.js): bot/privacy/detectors.json and the project's
// own names, read from knowledge/ and directories/ exactly as bot/privacy/detectors.py reads them.
const PROJECT = join(here, "..");
const PHRASE_WORD = /[\p{L}\p{N}]+(?:['’&-][\p{L}\p{N}]+)*/gu;
export const phraseKey = (text) => (text.replace(/’/g, "'").toLowerCase().match(PHRASE_WORD) || []).join(" ");
const phoneDigits = (text) => {
  let digits = text.replace(/\D/g, "");
  if (text.trim().startsWith("+44")) {
    digits = digits.slice(2);
    if (!(digits.startsWith("0") && digits.length === 11)) digits = `0${digits}`;
  }
  return digits;
};

/** Files matching a glob of the one form the definition uses: "folder/name.ext" or "folder/*.ext". */
function globFiles(root, pattern) {
  const folder = join(root, dirname(pattern));
  const name = basename(pattern);
  if (!name.includes("*")) return [join(folder, name)];
  const [before, after] = name.split("*");
  return readdirSync(folder).filter((f) => f.startsWith(before) && f.endsWith(after)).sort().map((f) => join(folder, f));
}

function directoryValues(node, lists) {
  if (Array.isArray(node)) {
    for (const item of node) directoryValues(item, lists);
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value !== "string") directoryValues(value, lists);
      else if (["name", "organisation", "organization", "address_1", "city", "region", "location"].includes(key)) lists.phrases.add(phraseKey(value));
      else if (key === "number") lists.phones.add(phoneDigits(value));
      else if (key === "email") lists.emails.add(value.trim().toLowerCase());
      else if (key === "postal_code" || key === "postcode") lists.postcodes.add(value.replace(/\s/g, "").toUpperCase());
    }
  }
}

export function privacyData(root = PROJECT) {
  const data = JSON.parse(read(join(root, "bot", "privacy", "detectors.json")));
  const lists = { phrases: new Set(data.known_phrases.map(phraseKey)), phones: new Set(), emails: new Set(), postcodes: new Set() };
  for (const source of data.stop_sources) {
    for (const path of globFiles(root, source.glob)) {
      const text = read(path);
      for (const pattern of source.patterns) {
        for (const match of text.matchAll(new RegExp(pattern, "gm"))) {
          for (const part of match[1].split(",")) {
            const value = part.trim().replace(/^["']+|["']+$/g, "").trim();
            if (value) lists.phrases.add(phraseKey(value));
          }
        }
      }
    }
  }
  for (const path of globFiles(root, data.directory_glob)) directoryValues(JSON.parse(read(path)), lists);
  for (const set of [lists.phones, lists.postcodes]) set.delete("");
  // The phrases that can change a finding (as useful_phrases in detectors.py). Lists are "|"-joined to keep the bundle small.
  const starts = new Set([...data.first_names, ...data.titles]);
  const phrases = [...lists.phrases].filter((p) => p && (!p.includes(" ") ||
    (p.split(" ").length <= data.max_phrase_words && p.split(" ").some((w) => starts.has(w.replace(/'s$/, ""))))));
  const joined = (list) => [...list].sort().join("|");
  return {
    max_phrase_words: data.max_phrase_words, phrases: joined(phrases), first_names: joined(data.first_names),
    common_word_names: joined(data.common_word_names), titles: joined(data.titles), not_surnames: joined(data.not_surnames),
    known_phones: joined(lists.phones), known_emails: joined(lists.emails), known_postcodes: joined(lists.postcodes),
  };
}

// Comments and indentation are for the sources: the bundle leaves out whole-line comments and
// leading spaces (nothing that changes what the code does; no other minifying).
const compactCss = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").split("\n").map((l) => l.trim()).filter(Boolean).join("\n");
function compactJs(text) {
  const kept = [];
  let inComment = false;
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (inComment) inComment = !line.includes("*/");
    else if (line.startsWith("/*")) inComment = !line.includes("*/");
    else if (line && !line.startsWith("//")) kept.push(line);
  }
  return kept.join("\n");
}
const css = (name) => JSON.stringify(compactCss(read(join(here, "src", name))));

/** The one script: socket.io-client, the styles, the privacy lists and the sources in one function scope. */
function bundle() {
  // The UMD bundle of socket.io-client sees a local `module`, so it neither defines a global `io`
  // nor calls a host page's AMD `define`.
  return `/*! dasg-widget ${version}: guidance assistant chat widget. MIT licence. Includes socket.io-client ${socketIoVersion} (MIT). */
(function () {
"use strict";
const io = (function () {
  const module = { exports: {} };
  const exports = module.exports;
  const define = undefined;
${socketIo}
  return module.exports;
})();
const WIDGET_CSS = ${JSON.stringify(STYLES.map((name) => compactCss(read(join(here, "src", name)))).join("\n"))};
const PRINT_CSS = ${css("print.css")};
const PRIVACY_DATA = ${JSON.stringify(privacyData())};
${SOURCES.map((name) => compactJs(read(join(here, "src", name)))).join("\n")}
})();
`;
}

function build() {
  const widget = bundle();
  const dist = join(here, "dist");
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, "dasg-widget.js"), widget);
  for (const name of readdirSync(join(here, "public"))) copyFileSync(join(here, "public", name), join(dist, name));
  console.log(`Built web/dist/dasg-widget.js (${Math.round(widget.length / 1024)} KB) and copied web/public/ to web/dist/.`);
}

// Run as a script (not when a test imports privacyData).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) build();

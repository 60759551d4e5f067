// Build the widget into dist/: one script (socket.io-client and the sources in SOURCES, with the
// CSS inlined) and the local page. No bundler: the sources are plain browser JavaScript that share
// one function scope, in this order.
// Usage: node web/build.mjs   (run by scripts/setup.sh and `bot run`; about a tenth of a second)
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const read = (path) => readFileSync(path, "utf8");

const socketIoDir = join(here, "node_modules", "socket.io-client");
const socketIoFile = join(socketIoDir, "dist", "socket.io.min.js");
const socketIoVersion = JSON.parse(read(join(socketIoDir, "package.json"))).version;
const socketIo = read(socketIoFile).replace(/\/\/# sourceMappingURL=.*\s*$/, "");
const version = JSON.parse(read(join(here, "package.json"))).version;
const SOURCES = ["format.js", "text.js", "dom.js", "messages.js", "keep.js", "connection.js", "options.js", "ui.js",
  "widget.js"];
const STYLES = ["widget.css", "conversation.css"];

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

// The UMD bundle of socket.io-client sees a local `module`, so it neither defines a global `io`
// nor calls a host page's AMD `define`.
const widget = `/*! dasg-widget ${version}: guidance assistant chat widget. MIT licence. Includes socket.io-client ${socketIoVersion} (MIT). */
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
${SOURCES.map((name) => compactJs(read(join(here, "src", name)))).join("\n")}
})();
`;

const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, "dasg-widget.js"), widget);
for (const name of readdirSync(join(here, "public"))) copyFileSync(join(here, "public", name), join(dist, name));
console.log(`Built web/dist/dasg-widget.js (${Math.round(widget.length / 1024)} KB) and copied web/public/ to web/dist/.`);

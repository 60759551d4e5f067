/*
 * Building the widget's elements: createElement and textContent only, never innerHTML, so
 * nothing the server or the user sends can become markup. Colours an LSCP chooses are checked
 * for contrast here.
 */

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

/** A link of the formatting subset: https opens in a new tab; tel: and mailto: open the phone or mail app. */
function linkElement(href, text) {
  const external = href.startsWith("https:");
  return el("a", { href, text, target: external ? "_blank" : false, rel: external ? "noopener noreferrer" : false });
}

/** DOM for parsed inline nodes: text nodes, <strong> and links, nothing else. */
function renderInline(nodes) {
  const fragment = document.createDocumentFragment();
  for (const node of nodes) {
    if (node.type === "strong") fragment.append(el("strong", {}, [renderInline(node.children)]));
    else if (node.type === "link") fragment.append(linkElement(node.href, node.text));
    else fragment.append(document.createTextNode(node.text));
  }
  return fragment;
}

function renderLines(paragraph, lines) {
  lines.forEach((line, i) => {
    if (i) paragraph.append(el("br"));
    paragraph.append(renderInline(line));
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
      fragment.append(renderLines(el("p"), block.lines));
    }
  }
  return fragment;
}

/** Text from a local service directory: lines of plain text whose addresses, emails and phone numbers are links. */
function renderPlainLines(text) {
  return renderLines(el("p"), parseAutolinks(text));
}

/** "If a child or adult is in immediate danger, call 999." with 999 as a link to the phone. */
function dangerLine() {
  return el("strong", {}, [TEXT.dangerBefore, linkElement("tel:999", "999"), TEXT.dangerAfter]);
}

function timeElement(iso) {
  const shown = formatTime(iso);
  return shown ? el("time", { className: "time", datetime: iso, text: shown }) : null;
}

/* ---- colours an LSCP sets with data attributes ---- */

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

const cssColour = (rgb) => `rgb(${rgb.join(", ")})`;

/** A stylesheet for a shadow root (or the document): constructed where the browser can, else a <style>. */
function adoptStyles(root, text) {
  if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return () => { root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet); };
  }
  const style = el("style", { text });
  (root.head || root).append(style);
  return () => style.remove();
}

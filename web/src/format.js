/*
 * The widget's safe formatting subset, as a parser from text to a small tree (never HTML).
 *
 * Blocks: paragraphs split by blank lines (single line breaks kept), "- " / "* " bullet
 * lists and "1. " numbered lists. Inline: **bold**, [text](https://...) and bare https://
 * links. Anything else, HTML included, stays literal text: the renderer only ever sets
 * textContent. Trailing "Source: ..." lines are taken out so they can be shown apart.
 */

const BULLET_ITEM = /^\s*[-*]\s+(.+)$/;
const NUMBERED_ITEM = /^\s*(\d{1,3})[.)]\s+(.+)$/;
const SOURCE_LINE = /^\s*Sources?:\s*(.+)$/;
const BOLD = /\*\*(?=\S)([^*\n]*?\S)\*\*/g;
const LINK = /\[([^\]\n]+)\]\((https:\/\/[^\s()]+)\)|https:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?]/g;

/** The https URL in href, normalised, or null when it is not a well-formed https URL. */
function safeHref(href) {
  try {
    const url = new URL(href);
    return url.protocol === "https:" && url.hostname ? url.href : null;
  } catch (error) {
    return null;
  }
}

/** Inline nodes for one line: text, strong (with children) and link (with text). */
function parseInline(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(BOLD)) {
    nodes.push(...parseLinks(text.slice(last, match.index)));
    nodes.push({ type: "strong", children: parseLinks(match[1]) });
    last = match.index + match[0].length;
  }
  nodes.push(...parseLinks(text.slice(last)));
  return nodes;
}

function parseLinks(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const label = match[1] || match[0];
    const href = safeHref(match[2] || match[0]);
    if (!href) continue;
    if (match.index > last) nodes.push({ type: "text", text: text.slice(last, match.index) });
    nodes.push({ type: "link", href, text: label });
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push({ type: "text", text: text.slice(last) });
  return nodes;
}

/** Block nodes: {type: "paragraph", lines: [inline[]]}, {type: "list", ordered, start, items: [inline[]]}. */
function parseBlocks(text) {
  const blocks = [];
  let current = null;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (!line.trim()) {
      current = null;
      continue;
    }
    const numbered = line.match(NUMBERED_ITEM);
    const bullet = numbered ? null : line.match(BULLET_ITEM);
    if (numbered || bullet) {
      const ordered = Boolean(numbered);
      if (!current || current.type !== "list" || current.ordered !== ordered) {
        current = { type: "list", ordered, start: ordered ? Number(numbered[1]) : 1, items: [] };
        blocks.push(current);
      }
      current.items.push(parseInline(ordered ? numbered[2] : bullet[1]));
    } else {
      if (!current || current.type !== "paragraph") {
        current = { type: "paragraph", lines: [] };
        blocks.push(current);
      }
      current.lines.push(parseInline(line.trim()));
    }
  }
  return blocks;
}

/** Split a bot text into its body and its trailing "Source: ..." lines. */
function splitSources(text) {
  const lines = String(text || "").replace(/\s+$/, "").split(/\r\n?|\n/);
  const sources = [];
  while (lines.length > 1 && SOURCE_LINE.test(lines[lines.length - 1])) {
    sources.unshift(lines.pop().match(SOURCE_LINE)[1].trim());
  }
  return { body: lines.join("\n"), sources };
}

/** Everything the renderer needs for one bot message. */
function parseMessage(text, custom) {
  const { body, sources } = splitSources(text);
  const citations = custom && Array.isArray(custom.citations) ? custom.citations : [];
  const fromCustom = citations
    .map((c) => (c && typeof c.citation === "string" ? c.citation : null))
    .filter(Boolean);
  return { blocks: parseBlocks(body), sources: sources.length ? sources : fromCustom };
}

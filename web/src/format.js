/*
 * The widget's safe formatting subset, as a parser from text to a small tree (never HTML).
 *
 * Blocks: paragraphs split by blank lines (single line breaks kept), "- " / "* " bullet
 * lists and "1. " numbered lists. Inline: **bold**, [text](https://...) and bare https://
 * or www. links, email addresses (mailto:), UK phone numbers and 999 (tel:). Anything else,
 * HTML included, stays literal text: the renderer only ever sets textContent. Trailing
 * "Source: ..." lines are taken out so they can be shown apart. Directory text gets the
 * links only (``parseAutolinks``), never any other formatting.
 */

const BULLET_ITEM = /^\s*[-*]\s+(.+)$/;
const NUMBERED_ITEM = /^\s*(\d{1,3})[.)]\s+(.+)$/;
const SOURCE_LINE = /^\s*Sources?:\s*(.+)$/;
const BOLD = /\*\*(?=\S)([^*\n]*?\S)\*\*/g;
const MARKDOWN_LINK = /\[(?<label>[^\]\n]+)\]\((?<markdown>https:\/\/[^\s()]+)\)/.source;
const AUTOLINKS = [
  /(?<https>https:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?])/.source, // a bare https:// address
  /\b(?<www>www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[^\s<>()"']*[^\s<>()"'.,;:!?])?)/.source, // www.example.org
  /\b(?<email>[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\b/.source, // an email address
  /(?<phone>(?:\+44\s?(?:\(0\)\s?)?|\b0)\d(?:[ -]?\d){6,11})(?![\d-])/.source, // a UK phone number
  /(?<![\d-])(?<emergency>999)(?![\d-])/.source, // 999
];
const LINK = new RegExp([MARKDOWN_LINK, ...AUTOLINKS].join("|"), "gi");
const AUTOLINK = new RegExp(AUTOLINKS.join("|"), "gi");

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

/** A tel: address for a UK number as written ("0808 2000 247", "+44 (0)1632 960 000", "999"), or null. */
function telHref(number) {
  const digits = number.replace(/\(0\)/, "").replace(/[^\d+]/g, "");
  const national = digits.startsWith("+44") ? digits.slice(3) : digits.replace(/^0/, "");
  if (digits === "999") return "tel:999";
  // 10 digits after the 0 (01632 960000, 07700 900000), or a shorter 08xx freephone (0800 1111)
  const plausible = national.length === 10 || (/^8/.test(national) && national.length >= 7 && national.length <= 10);
  return plausible ? `tel:${digits.startsWith("+") ? digits : "0" + national}` : null;
}

/** The link a match of LINK stands for ({text, href}), or null when it is not a safe, well-formed one. */
function linkOf(match) {
  const whole = match[0];
  const { label, markdown, https, www, email, phone, emergency } = match.groups;
  if (markdown) return { text: label, href: safeHref(markdown) };
  if (https) return { text: whole, href: safeHref(https) };
  if (www) return { text: whole, href: safeHref(`https://${www}`) };
  if (email) return { text: whole, href: `mailto:${email}` };
  return { text: whole, href: telHref(phone || emergency) };
}

function parseLinks(text, pattern = LINK) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const link = linkOf(match);
    if (!link.href) continue;
    if (match.index > last) nodes.push({ type: "text", text: text.slice(last, match.index) });
    nodes.push({ type: "link", href: link.href, text: link.text });
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push({ type: "text", text: text.slice(last) });
  return nodes;
}

/** Lines of plain text (a directory's data) with only addresses, emails and phone numbers as links. */
function parseAutolinks(text) {
  return String(text || "").replace(/\r\n?/g, "\n").split("\n").map((line) => parseLinks(line, AUTOLINK));
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

// The widget's formatting subset (web/src/format.js), without a browser: `npm test` in web/,
// and run by tests/web/test_format.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";

const source = readFileSync(new URL("../src/format.js", import.meta.url), "utf8");
const parse = runInNewContext(`${source}\nparseMessage;`, { URL });
// Plain data from the sandbox's realm, so deepEqual compares values, not prototypes.
const parseMessage = (text, custom) => JSON.parse(JSON.stringify(parse(text, custom)));

const inlineText = (nodes) => nodes.map((n) => n.text ?? inlineText(n.children)).join("");

test("blank lines make paragraphs and single line breaks stay within one", () => {
  const { blocks } = parseMessage("First line\nsecond line\n\nNext paragraph");
  assert.equal(blocks.length, 2);
  assert.deepEqual(blocks.map((b) => b.type), ["paragraph", "paragraph"]);
  assert.equal(blocks[0].lines.length, 2);
});

test("bullet and numbered lists", () => {
  const { blocks } = parseMessage("Steps:\n1. Speak with the child.\n2. Record it.\n- one\n- two");
  assert.deepEqual(blocks.map((b) => b.type), ["paragraph", "list", "list"]);
  assert.equal(blocks[1].ordered, true);
  assert.equal(blocks[1].items.length, 2);
  assert.equal(inlineText(blocks[1].items[0]), "Speak with the child.");
  assert.equal(blocks[2].ordered, false);
});

test("a numbered list keeps its first number", () => {
  assert.equal(parseMessage("3. third\n4. fourth").blocks[0].start, 3);
});

test("bold text", () => {
  const [line] = parseMessage("This is **important** here").blocks[0].lines;
  assert.deepEqual(line.map((n) => n.type), ["text", "strong", "text"]);
  assert.equal(inlineText(line[1].children), "important");
});

test("markdown and bare https links; other schemes stay text", () => {
  const [line] = parseMessage("See [the Panel](https://www.gov.uk/panel) or https://example.org/a.").blocks[0].lines;
  const links = line.filter((n) => n.type === "link");
  assert.deepEqual(links.map((l) => [l.text, l.href]), [
    ["the Panel", "https://www.gov.uk/panel"],
    ["https://example.org/a", "https://example.org/a"],
  ]);
  assert.equal(line[line.length - 1].text, ".");
  for (const text of ["[x](javascript:alert(1))", "[x](http://example.org)", "data:text/html,hi", "[x](https://)"]) {
    const nodes = parseMessage(text).blocks[0].lines[0];
    assert.ok(nodes.every((n) => n.type === "text"), text);
    assert.equal(inlineText(nodes), text);
  }
});

test("HTML stays literal text", () => {
  const text = '<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold</b>';
  const [line] = parseMessage(text).blocks[0].lines;
  assert.deepEqual(line, [{ type: "text", text }]);
});

test("trailing Source lines are taken out of the body", () => {
  const parsed = parseMessage("Answer.\nSource: Panel Briefing 2 (2022), 'Risk'\nSource: JTAI summary (2017)");
  assert.deepEqual(parsed.sources, ["Panel Briefing 2 (2022), 'Risk'", "JTAI summary (2017)"]);
  assert.equal(parsed.blocks.length, 1);
  assert.equal(inlineText(parsed.blocks[0].lines[0]), "Answer.");
});

test("citations from the custom payload when the text has none; unknown payloads are ignored", () => {
  const custom = { type: "guidance", citations: [{ citation: "WomenCentre pilot summary (2013), 'Risk'" }, { x: 1 }] };
  assert.deepEqual(parseMessage("Answer.", custom).sources, ["WomenCentre pilot summary (2013), 'Risk'"]);
  assert.deepEqual(parseMessage("Answer.", { type: "scenario_step", citations: "nonsense" }).sources, []);
  assert.equal(parseMessage("", null).blocks.length, 0);
});

const parseAutolinks = runInNewContext(`${source}\nparseAutolinks;`, { URL });
const linksOf = (nodes) => JSON.parse(JSON.stringify(nodes)).filter((n) => n.type === "link").map((l) => [l.text, l.href]);

test("phone numbers, 999, emails and www. addresses are tappable links", () => {
  const [line] = parseMessage(
    "Call 999 now, or 0808 2000 247, +44 (0)1632 960 000, 01632-960001 or 0800 1111; email help@lscp.example or see www.lscp.example/help.",
  ).blocks[0].lines;
  assert.deepEqual(linksOf(line), [
    ["999", "tel:999"],
    ["0808 2000 247", "tel:08082000247"],
    ["+44 (0)1632 960 000", "tel:+441632960000"],
    ["01632-960001", "tel:01632960001"],
    ["0800 1111", "tel:08001111"],
    ["help@lscp.example", "mailto:help@lscp.example"],
    ["www.lscp.example/help", "https://www.lscp.example/help"],
  ]);
});

test("numbers that are not phone numbers stay text", () => {
  for (const text of ["Panel Briefing 2 (2022), ages 0-4 and 13 to 17", "9999 or 1999 or 999-1", "02 1234", "2017-09"]) {
    const nodes = parseMessage(text).blocks[0].lines[0];
    assert.ok(nodes.every((n) => n.type === "text"), text);
  }
});

test("directory text gets links but no other formatting", () => {
  const lines = parseAutolinks("**Hope House** [x](https://a.example)\nContact: phone 01632 960123, email hope@demo.example");
  assert.deepEqual(linksOf(lines[0]), [["https://a.example", "https://a.example/"]]);
  assert.equal(lines[0][0].text, "**Hope House** [x](");
  assert.deepEqual(linksOf(lines[1]), [["01632 960123", "tel:01632960123"], ["hope@demo.example", "mailto:hope@demo.example"]]);
});

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

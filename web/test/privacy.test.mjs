// The widget's personal-detail detectors (web/src/privacy.js) without a browser, on the shared test
// vectors of bot/privacy/detectors.json and the lists the build puts in the bundle. The same vectors
// and the 200 labelled drafts of eval/pii_drafts.yml are run through both sides by
// tests/bot/privacy/test_detectors.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { privacyData } from "../build.mjs";

const source = readFileSync(new URL("../src/privacy.js", import.meta.url), "utf8");
const messages = readFileSync(new URL("../src/messages.js", import.meta.url), "utf8");
const definition = JSON.parse(readFileSync(new URL("../../bot/privacy/detectors.json", import.meta.url), "utf8"));
const data = privacyData();
const sandbox = runInNewContext(`${source}\n${messages}\n({ findPersonalDetails, personalDetailKinds, nhsChecksumOk, privacyWarning });`,
  { PRIVACY_DATA: data });
const kinds = (text) => [...sandbox.personalDetailKinds(text, data)];
const found = (text) => JSON.parse(JSON.stringify(sandbox.findPersonalDetails(text, data)));

for (const vector of definition.vectors) {
  test(`vector: ${vector.text}`, () => {
    const expected = definition.kinds.filter((kind) => vector.kinds.includes(kind));
    assert.deepEqual(kinds(vector.text), expected);
  });
}

test("the NHS number's modulus 11 check", () => {
  assert.equal(sandbox.nhsChecksumOk("9434765919"), true);
  assert.equal(sandbox.nhsChecksumOk("9434765918"), false);
  assert.equal(sandbox.nhsChecksumOk("943476591"), false);
});

test("findings say where the detail is", () => {
  const text = "call Sarah Jones on 07700 900123";
  assert.deepEqual(found(text).map((f) => [f.kind, text.slice(f.start, f.end)]),
    [["name", "Sarah Jones"], ["phone", "07700 900123"]]);
});

test("the project's own names come from knowledge/ and directories/", () => {
  const phrases = data.phrases.split("|");
  for (const word of ["demoshire", "leeds", "marac", "cafcass"]) assert.ok(phrases.includes(word), word);
  assert.ok(data.known_phones.split("|").includes("01632960001"));
  assert.deepEqual(kinds("Sarah Demoshire and Grace Leeds"), []);
});

test("the warning names each kind found", () => {
  assert.equal(sandbox.privacyWarning(["phone"]),
    "This looks like a phone number. Please remove details that could identify a child or family.");
  assert.equal(sandbox.privacyWarning(["email", "postcode", "name"]),
    "This looks like an email address, a postcode and a person's name. Please remove details that could identify a child or family.");
});

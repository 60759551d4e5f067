/*
 * Personal details in a draft (UK phone numbers, emails, postcodes, NHS and National Insurance
 * numbers, dates of birth, people's names), found before it is sent so the widget can ask the
 * user to take them out. The same detectors, rule for rule, run on the server
 * (bot/privacy/detectors.py); both read bot/privacy/detectors.json, and web/build.mjs puts its
 * lists and the project's own names (terms, agencies, places, services) in PRIVACY_DATA.
 */

const PRIVACY_KINDS = ["email", "phone", "nhs_number", "ni_number", "postcode", "date_of_birth", "name"];
const PRIVACY_EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PRIVACY_PHONE = /(?<![\w+])(?:\+44[ \t]?(?:\(0\)[ \t]?)?|\(?0)(?:\d[ \t().-]{0,2}){9}\d(?!\d)/g;
const PRIVACY_PERSONAL_PHONE = /^0[127]/; // geographic and mobile: 03, 08 and 09 are organisations' lines
const PRIVACY_NHS = /(?<![\w])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w])/g;
const PRIVACY_NI = /\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/gi;
const PRIVACY_POSTCODE = /\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b/gi;
const PRIVACY_MONTH = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?" +
  "|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const PRIVACY_DATE = `(?:\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{1,2}(?:st|nd|rd|th)?[ \\t]+(?:of[ \\t]+)?${PRIVACY_MONTH}\\.?` +
  `(?:,?[ \\t]+\\d{4})?|${PRIVACY_MONTH}\\.?[ \\t]+\\d{1,2}(?:st|nd|rd|th)?(?:,?[ \\t]+\\d{4})?)`;
// A date of birth is a day and month (a year alone is no one's) after a cue: "DOB", "born", "birthday".
const PRIVACY_DOB = new RegExp("\\b(?:d\\.?o\\.?b\\.?|date[ \\t]+of[ \\t]+birth|born|birthday)(?:[ \\t]+(?:is|was|on))?" +
  `[ \\t]*[:=-]?[ \\t]*(?:the[ \\t]+)?(${PRIVACY_DATE})(?![\\w/])`, "gi");
const PRIVACY_WORD = /[\p{L}\p{N}]+(?:['’&-][\p{L}\p{N}]+)*/gu;
const PRIVACY_SENTENCE_END = /[.!?:;"“(]\s*$/;

/** The lists as sets, made once from what the build put in ("|"-joined strings keep the bundle small). */
function privacyLists(data) {
  if (data.sets) return data.sets;
  const set = (joined) => new Set(joined ? joined.split("|") : []);
  data.sets = {
    phrases: set(data.phrases), firstNames: set(data.first_names), commonWordNames: set(data.common_word_names),
    titles: set(data.titles), notSurnames: set(data.not_surnames), knownPhones: set(data.known_phones),
    knownEmails: set(data.known_emails), knownPostcodes: set(data.known_postcodes), maxPhraseWords: data.max_phrase_words,
  };
  return data.sets;
}

function privacyPhoneDigits(text) {
  let digits = text.replace(/\D/g, "");
  if (text.trim().startsWith("+44")) {
    digits = digits.slice(2);
    if (!(digits.startsWith("0") && digits.length === 11)) digits = `0${digits}`;
  }
  return digits;
}

const privacyPostcodeKey = (text) => text.replace(/\s/g, "").toUpperCase();

/** The NHS number's modulus 11 check: weights 10..2 on the first nine digits give the tenth. */
function nhsChecksumOk(digits) {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === Number(digits[9]);
}

function privacyNumbers(text, lists) {
  const found = [];
  const add = (kind, start, matched) => found.push({ kind, start, end: start + matched.length, text: matched });
  for (const m of text.matchAll(PRIVACY_EMAIL)) if (!lists.knownEmails.has(m[0].toLowerCase())) add("email", m.index, m[0]);
  for (const m of text.matchAll(PRIVACY_PHONE)) {
    const digits = privacyPhoneDigits(m[0]);
    if (digits.length === 11 && PRIVACY_PERSONAL_PHONE.test(digits) && !lists.knownPhones.has(digits)) add("phone", m.index, m[0]);
  }
  for (const m of text.matchAll(PRIVACY_NHS)) if (nhsChecksumOk(m[0].replace(/\D/g, ""))) add("nhs_number", m.index, m[0]);
  for (const m of text.matchAll(PRIVACY_NI)) add("ni_number", m.index, m[0]);
  for (const m of text.matchAll(PRIVACY_POSTCODE)) if (!lists.knownPostcodes.has(privacyPostcodeKey(m[0]))) add("postcode", m.index, m[0]);
  for (const m of text.matchAll(PRIVACY_DOB)) add("date_of_birth", m.index + m[0].length - m[1].length, m[1]);
  return found;
}

/** Which words belong to one of the project's own names (longest phrase first). */
function privacyMasked(words, lists) {
  const keys = words.map((w) => w[0].replace(/’/g, "'").toLowerCase());
  const masked = words.map(() => false);
  for (let i = 0; i < words.length; i += 1) {
    for (let j = Math.min(words.length, i + lists.maxPhraseWords); j > i; j -= 1) {
      if (lists.phrases.has(keys.slice(i, j).join(" "))) {
        for (let k = i; k < j; k += 1) masked[k] = true;
        break;
      }
    }
  }
  return masked;
}

function privacyCapitalised(word) {
  const first = word[0];
  return first !== first.toLowerCase() && [...word].some((c) => c !== c.toUpperCase()) && !/\d/.test(word);
}

const privacyBare = (word) => word.replace(/’/g, "'").replace(/'s$/, "").toLowerCase();

/** Two or more capitalised words that start with a title or a first name, none a project word. */
function privacyNames(text, lists) {
  const words = [...text.matchAll(PRIVACY_WORD)];
  const masked = privacyMasked(words, lists);
  const endOf = (i) => words[i].index + words[i][0].length;
  const usable = (i) => !masked[i] && privacyCapitalised(words[i][0]);
  const joined = (i) => {
    const gap = text.slice(endOf(i - 1), words[i].index);
    return gap.replace(/^[ \t.]+|[ \t.]+$/g, "") === "" && !gap.includes("\n") && gap.length <= 3;
  };
  const surname = (i) => {
    const word = privacyBare(words[i][0]);
    return usable(i) && joined(i) && !lists.notSurnames.has(word) && !lists.phrases.has(word) && !lists.titles.has(word);
  };
  const found = [];
  let i = 0;
  while (i < words.length - 1) {
    const word = privacyBare(words[i][0]);
    const gap = i ? text.slice(endOf(i - 1), words[i].index) : "";
    const startOfSentence = i === 0 || PRIVACY_SENTENCE_END.test(gap) || gap.includes("\n");
    const isTitle = lists.titles.has(word) && usable(i);
    const isFirst = lists.firstNames.has(word) && usable(i) && !(startOfSentence && lists.commonWordNames.has(word));
    if ((isTitle || isFirst) && surname(i + 1)) {
      let end = i + 1;
      while (end + 1 < words.length && end - i < 3 && surname(end + 1)) end += 1;
      found.push({ kind: "name", start: words[i].index, end: endOf(end), text: text.slice(words[i].index, endOf(end)) });
      i = end + 1;
    } else {
      i += 1;
    }
  }
  return found;
}

/** The personal details in `text`, in order; where two overlap the earlier-listed kind wins. */
function findPersonalDetails(text, data) {
  const lists = privacyLists(data);
  const found = [];
  for (const finding of [...privacyNumbers(text, lists), ...privacyNames(text, lists)]) {
    if (!found.some((f) => f.start < finding.end && finding.start < f.end)) found.push(finding);
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The kinds of detail in `text`, each once, in the order of PRIVACY_KINDS. */
function personalDetailKinds(text, data) {
  const present = new Set(findPersonalDetails(text, data).map((f) => f.kind));
  return PRIVACY_KINDS.filter((kind) => present.has(kind));
}

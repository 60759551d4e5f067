/*
 * The widget's own words (everything else it shows comes from the assistant) and how it writes
 * times, dates and numbers (en-GB).
 */

const TEXT = {
  title: "Domestic abuse and safeguarding children: guidance",
  automated: "Automated assistant",
  greeting:
    "Hello. I'm an automated assistant: I answer questions about domestic abuse and safeguarding " +
    "children from national reviews and inspection findings, and I name the source of every answer. " +
    "Try one of these, or type your own question.",
  notice:
    "This assistant supports your professional judgement and local safeguarding procedures; " +
    "it does not replace them. Please do not type names or other details that could identify a child or family.",
  starters: ["Is this conflict or abuse?", "What is MARAC?", "Are children victims of domestic abuse?",
    "What is available locally?"],
  dangerBefore: "If a child or adult is in immediate danger, call ",
  dangerAfter: ".",
  placeholder: "Ask a question",
  inputLabel: "Your question",
  send: "Send",
  restart: "Start again",
  restartTitle: "Start again?",
  restartText: "This clears the conversation from this browser tab. It cannot be undone.",
  restartConfirm: "Clear and start again",
  cancel: "Cancel",
  restartDone: "The conversation has been cleared.",
  save: "Save conversation",
  launcher: "Ask the guidance assistant",
  close: "Close",
  log: "Conversation",
  suggestions: "Suggested replies",
  starterGroup: "Suggested questions",
  typing: "The assistant is typing",
  you: "You",
  bot: "Assistant",
  youSaid: "You said",
  botSaid: "The assistant said",
  connecting: "Connecting to the assistant…",
  offline:
    "You are offline: the assistant cannot be reached. Trying to reconnect… " +
    "Anything you send now will go when the connection is back.",
  refused: (origin) =>
    `This assistant is not allowed on this site (${origin}). Ask your administrator to add ${origin} ` +
    "to the assistant's allowed origins.",
  online: "Connected again.",
  queued: "Waiting to send",
  copy: "Copy",
  copyLabel: "Copy this answer with its sources",
  copied: "Copied",
  copiedStatus: "The answer and its sources have been copied.",
  copyFailed: "Copying is not available here: select the text to copy it.",
  useful: "Was this useful?",
  yes: "Yes",
  no: "No",
  voteSending: "Sending your answer…",
  sourceLabel: "Source: ",
  sourceDocument: "Document",
  sourcePublisher: "Publisher",
  sourceDate: "Date",
  sourceLicence: "Licence",
  sourceSection: "Section",
  charactersOf: (count, limit) => `${formatNumber(count)} of ${formatNumber(limit)} characters`,
  charactersLeft: (left) => `${formatNumber(left)} characters left`,
  printHeading: (title) => `${title}: conversation`,
  printSaved: (when) => `Saved on ${when}. A conversation with an automated assistant; nothing in it was sent anywhere to make this copy.`,
  sources: "Sources",
  copiedFrom: (title, when) => `From ${title} (automated assistant), ${when}.`,
};

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

function formatNumber(value) {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "14:05" for an ISO time, "" for anything else. */
function formatTime(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** "1 December 2026 at 14:05". */
function formatWhen(date) {
  return `${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()} at ${formatTime(date.toISOString())}`;
}

/** A source's date as knowledge/sources.yml writes it ("2022-09", "2022") in words: "September 2022". */
function formatSourceDate(value) {
  const match = /^(\d{4})(?:-(\d{2}))?/.exec(String(value || ""));
  if (!match) return String(value || "");
  const month = match[2] ? MONTHS[Number(match[2]) - 1] : "";
  return month ? `${month} ${match[1]}` : match[1];
}

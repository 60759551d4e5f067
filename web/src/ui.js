/*
 * The widget's frame: header ("Automated assistant", Save conversation, Start again, Close), the
 * 999 line, the status line, the conversation with its greeting and starter questions, the
 * warning about personal details in a draft, the text box with its character count, the
 * "Start again?" confirmation and, in the corner, the button that opens it all. Behaviour lives in widget.js.
 */

function styleRoot(widget) {
  const { accent, background } = widget.options;
  const rules = [WIDGET_CSS];
  const vars = [];
  if (accent) vars.push(`--dasg-accent: ${cssColour(accent)}`, `--dasg-on-accent: ${readableOn(accent)}`);
  if (background) {
    const text = readableOn(background);
    vars.push(`--dasg-background: ${cssColour(background)}`, `--dasg-text: ${text}`, `--dasg-muted: ${text}`);
  }
  if (vars.length) rules.push(`:host { ${vars.join("; ")}; }`);
  adoptStyles(widget.root, rules.join("\n"));
}

function buildHeader(widget, corner) {
  const w = widget;
  w.heading = el("h2", { id: "dasg-title", className: "title", text: w.options.title });
  w.saveButton = el("button", { type: "button", className: "save", "aria-label": TEXT.save },
    ["Save", el("span", { className: "wide", text: " conversation" })]);
  w.saveButton.addEventListener("click", () => w.printer.print(w.transcript));
  w.restartButton = el("button", { type: "button", className: "restart", text: TEXT.restart, "aria-haspopup": "dialog" });
  w.restartButton.addEventListener("click", () => w.openConfirm());
  const children = [
    el("div", { className: "heading" }, [w.heading, el("p", { className: "label", text: TEXT.automated })]),
    el("div", { className: "actions" }, [w.saveButton, w.restartButton]),
  ];
  if (corner) {
    w.closeButton = el("button", { type: "button", className: "close", "aria-label": TEXT.close, text: "×" });
    w.closeButton.addEventListener("click", () => w.setOpen(false));
    children.push(w.closeButton);
  }
  return el("header", {}, children);
}

/** The greeting, the notice and the starter questions: the start of every conversation (not stored). */
function buildIntro(widget) {
  const group = el("div", { className: "quick-replies", role: "group", "aria-label": TEXT.starterGroup });
  TEXT.starters.forEach((question, index) => {
    const local = index === TEXT.starters.length - 1;
    const area = widget.options.area;
    const message = local && area ? `/${LOCAL_SERVICES}${JSON.stringify({ area })}` : question;
    const button = el("button", { type: "button", className: "quick-reply", text: question });
    button.addEventListener("click", (event) => {
      button.classList.add("chosen");
      widget.send(message, question);
      if (event.pointerType === "touch") widget.log.focus({ preventScroll: true });
      else widget.input.focus({ preventScroll: true });
    });
    group.append(button);
  });
  return el("li", { className: "message bot intro" }, [
    el("span", { className: "visually-hidden", text: `${TEXT.botSaid}: ` }),
    el("div", { className: "body" }, [el("p", { text: TEXT.greeting }), el("p", { className: "notice", text: TEXT.notice })]),
    group,
  ]);
}

function buildComposer(widget) {
  const w = widget;
  w.input = el("textarea", {
    id: "dasg-input", rows: "2", placeholder: TEXT.placeholder, autocomplete: "off",
    maxlength: String(w.options.maxLength), "aria-describedby": "dasg-count",
  });
  w.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      w.submit();
    }
  });
  w.input.addEventListener("input", () => {
    w.updateCount();
    if (!w.privacyBox.hidden) w.privacyBox.hidden = true; // the warning was about the words before this change
  });
  w.count = el("p", { id: "dasg-count", className: "count" });
  const form = el("form", { className: "composer" }, [
    el("label", { for: "dasg-input", className: "visually-hidden", text: TEXT.inputLabel }),
    w.input,
    el("button", { type: "submit", className: "send", text: TEXT.send }),
    w.count,
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    w.submit();
  });
  return form;
}

/** The warning shown instead of sending a draft that seems to hold personal details: Edit or Send anyway. */
function buildPrivacyWarning(widget) {
  const w = widget;
  w.privacyText = el("p", { id: "dasg-privacy-text", className: "privacy-text" });
  w.privacyEdit = el("button", { type: "button", className: "privacy-edit", text: PRIVACY_TEXT.edit });
  const sendAnyway = el("button", { type: "button", className: "privacy-send", text: PRIVACY_TEXT.sendAnyway });
  w.privacyEdit.addEventListener("click", () => w.closePrivacyWarning(false));
  sendAnyway.addEventListener("click", () => w.closePrivacyWarning(true));
  w.privacyBox = el("div", {
    className: "privacy", role: "group", hidden: true, "aria-label": PRIVACY_TEXT.label, "aria-describedby": "dasg-privacy-text",
  }, [w.privacyText, el("div", { className: "privacy-buttons" }, [w.privacyEdit, sendAnyway])]);
  w.privacyBox.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.stopPropagation(); // Escape is Edit here, not "close the widget"
    w.closePrivacyWarning(false);
  });
  return w.privacyBox;
}

function buildConfirm(widget) {
  const w = widget;
  w.confirmNo = el("button", { type: "button", className: "confirm-no", text: TEXT.cancel });
  const yes = el("button", { type: "button", className: "confirm-yes", text: TEXT.restartConfirm });
  w.confirmNo.addEventListener("click", () => w.closeConfirm(false));
  yes.addEventListener("click", () => w.closeConfirm(true));
  w.confirmBox = el("div", {
    className: "confirm", role: "alertdialog", "aria-modal": "true", hidden: true,
    "aria-labelledby": "dasg-confirm-title", "aria-describedby": "dasg-confirm-text",
  }, [el("div", { className: "confirm-box" }, [
    el("h2", { id: "dasg-confirm-title", text: TEXT.restartTitle }),
    el("p", { id: "dasg-confirm-text", text: TEXT.restartText }),
    el("div", { className: "confirm-buttons" }, [yes, w.confirmNo]),
  ])]);
  w.confirmBox.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      w.closeConfirm(false);
    } else if (event.key === "Tab") { // the two buttons only, while it is open
      event.preventDefault();
      (w.root.activeElement === yes ? w.confirmNo : yes).focus();
    }
  });
  return w.confirmBox;
}

function buildInterface(widget) {
  const w = widget;
  const corner = !w.options.container;
  styleRoot(w);
  const header = buildHeader(w, corner);
  w.dangerBar = el("p", { className: "danger" }, [dangerLine()]);
  w.status = el("p", { className: "status", role: "status", hidden: true });
  w.list = el("ol", { className: "messages" });
  w.log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0" }, [w.list]);
  w.intro = buildIntro(w);
  w.list.append(w.intro);
  w.typing = el("p", { className: "typing", role: "status", hidden: true }, [
    el("span", { className: "visually-hidden", text: TEXT.typing }),
    el("span", { className: "dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
  ]);
  const composer = buildComposer(w);
  w.behindConfirm = [header, w.dangerBar, w.status, w.log, w.typing, buildPrivacyWarning(w), composer];
  w.panel = el("section", { className: "panel", "aria-labelledby": "dasg-title" },
    [...w.behindConfirm, buildConfirm(w)]);
  w.root.append(w.panel);
  w.setStatus(TEXT.connecting, "connecting");
  w.updateCount();
  if (!corner) return;
  w.host.classList.add("dasg-floating");
  w.launcher = el("button", { type: "button", className: "launcher", "aria-expanded": "false", text: TEXT.launcher });
  w.launcher.addEventListener("click", () => w.setOpen(true));
  w.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") w.setOpen(false);
  });
  w.root.append(w.launcher);
  w.setOpen(w.options.open || w.store.read("open", false), false);
}

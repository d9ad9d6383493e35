/*
 * Bürgerassistent / Citizen assistant: embeddable chat widget.
 *
 * Embed with one tag (the API is the server this file is loaded from):
 *   <script src="https://assistant.example/widget.js" data-lang="de" defer></script>
 *
 * Answers: the verified evidence answer (cited quotes) is shown as soon as the server sends it,
 * with a note that the wording is being improved; the checked answer replaces it. The model's
 * unchecked draft never reaches the browser.
 *
 * Safety: every text that comes from documents or the model is put into the page with
 * textContent / createElement, never as HTML. Links are made only for URLs whose host is
 * one of the configured link domains; other URLs are shown as plain text.
 * The widget lives in a shadow root, so the host page's CSS neither breaks nor sees it.
 */
(function () {
  "use strict";

  // Filled in by the server when it serves this file (settings.web); defaults otherwise.
  var CONFIG = /*WIDGET_CONFIG*/{}/*END*/;
  var HOST_ID = "buergerassistent-widget";
  if (document.getElementById(HOST_ID)) return; // embedded twice: keep the first

  var script = document.currentScript || findScript();
  var BASE = new URL(".", script ? script.src : window.location.href).href; // ".../" of widget.js
  var LANG = pickLanguage(script);
  var LINK_DOMAINS = (CONFIG.link_domains || []).map(function (d) { return String(d).toLowerCase(); });
  var MAX_CHARS = CONFIG.max_question_chars || 500;
  var DISCLOSURE = CONFIG.disclosure || {
    de: "Sie sprechen mit einem KI-Assistenten. Er antwortet nur aus den Unterlagen der Stadt und zeigt die Quellen.",
    en: "You are talking to an AI assistant. It answers only from the city's documents and shows its sources."
  };

  var TEXT = {
    de: {
      title: "Bürgerassistent", close: "Schließen", question: "Ihre Frage", send: "Senden",
      placeholder: "Ihre Frage an die Stadt …", thinking: "Einen Moment, ich suche in den Unterlagen …",
      improving: "Geprüfte Stellen aus den Unterlagen – die Formulierung wird noch verbessert …",
      sources: "Quellen", asOf: "Stand", noDate: "ohne Datum", conflictsWith: "weicht ab von Quelle",
      reason: "Grund", verified: "Von der Stadtverwaltung geprüft",
      person: "Mit einem Menschen sprechen", office: "Stelle", room: "Raum", phone: "Telefon",
      email: "E-Mail", hours: "Öffnungszeiten", helpful: "War das hilfreich?", up: "Hilfreich",
      down: "Nicht hilfreich", whyNot: "Was hat nicht gepasst?", comment: "Ihre Anmerkung (freiwillig)",
      thanks: "Danke für Ihre Rückmeldung!", feedbackFailed: "Die Rückmeldung konnte nicht gesendet werden.",
      tooLong: "Die Frage ist zu lang (höchstens " + MAX_CHARS + " Zeichen).",
      unreachable: "Der Assistent ist von dieser Seite aus nicht erreichbar: Die Seite ist nicht für den " +
        "Assistenten freigeschaltet, oder der Server ist nicht erreichbar. Bitte wenden Sie sich an das Bürgerbüro.",
      failed: "Der Assistent konnte gerade nicht antworten. Bitte versuchen Sie es später noch einmal.",
      reasons: { wrong: "Falsch", outdated: "Veraltet", incomplete: "Unvollständig",
        not_understood: "Hat mich nicht verstanden", other: "Anderes" },
      why: "Warum diese Antwort?", whyWorking: "Einen Moment, ich messe, worauf die Antwort beruht …",
      whyIntro: "Für jede Stelle gemessen: Wie viel unwahrscheinlicher das Modell diese Antwort findet, " +
        "wenn die Stelle fehlt. Stellen, auf denen die Antwort beruht, stehen oben.",
      whyNone: "Diese Antwort beruht auf keiner Stelle aus den Unterlagen.",
      whyFailed: "Die Erklärung ist gerade nicht möglich.", disagreeingSource: "abweichende Quelle",
      effects: { supports: "trägt die Antwort", "pulls against": "spricht dagegen", neutral: "ohne Einfluss" },
      ticket: "Die Stelle soll mir antworten", ticketContact: "Ihre E-Mail oder Telefonnummer (freiwillig)",
      ticketMessage: "Was möchten Sie wissen? (freiwillig)", ticketSend: "Anfrage senden",
      ticketSent: "Ihre Anfrage ist bei den Mitarbeitenden der Stadt. Ihre Kontaktangabe wird nur dafür " +
        "genutzt und mit dem Gesprächsprotokoll gelöscht.",
      ticketFailed: "Die Anfrage konnte nicht gespeichert werden. Bitte wenden Sie sich direkt an die Stelle."
    },
    en: {
      title: "Citizen assistant", close: "Close", question: "Your question", send: "Send",
      placeholder: "Your question to the city …", thinking: "One moment, searching the city's documents …",
      improving: "Verified passages from the documents – the wording is still being improved …",
      sources: "Sources", asOf: "as of", noDate: "no date", conflictsWith: "differs from source",
      reason: "Reason", verified: "Verified by city staff",
      person: "Talk to a person", office: "Office", room: "Room", phone: "Phone", email: "Email",
      hours: "Opening hours", helpful: "Was this helpful?", up: "Helpful", down: "Not helpful",
      whyNot: "What was wrong?", comment: "Your comment (optional)", thanks: "Thank you for your feedback!",
      feedbackFailed: "The feedback could not be sent.",
      tooLong: "The question is too long (at most " + MAX_CHARS + " characters).",
      unreachable: "The assistant cannot be reached from this page: the page is not enabled for the " +
        "assistant, or the server is offline. Please contact the citizens' office.",
      failed: "The assistant could not answer just now. Please try again later.",
      reasons: { wrong: "Wrong", outdated: "Outdated", incomplete: "Incomplete",
        not_understood: "Did not understand me", other: "Other" },
      why: "Why this answer?", whyWorking: "One moment, measuring what the answer rests on …",
      whyIntro: "Measured for every passage: how much less likely the model finds this answer without it. " +
        "The passages the answer rests on come first.",
      whyNone: "This answer rests on no passage from the documents.",
      whyFailed: "The explanation is not available just now.", disagreeingSource: "disagreeing source",
      effects: { supports: "the answer rests on it", "pulls against": "speaks against it", neutral: "no effect" },
      ticket: "I would like the office to reply", ticketContact: "Your e-mail or phone number (optional)",
      ticketMessage: "What would you like to know? (optional)", ticketSend: "Send request",
      ticketSent: "Your request is with the city's staff. Your contact is used only for this and deleted " +
        "with the conversation log.",
      ticketFailed: "The request could not be saved. Please contact the office directly."
    }
  };
  var T = TEXT[LANG];
  var BILINGUAL_NAME = "Bürgerassistent / Citizen assistant";
  var DISAGREEING_TITLE = "Abweichende oder veraltete Quellen / Disagreeing or outdated sources";

  var history = []; // [{role, content}] for follow-up questions
  var busy = false;

  function findScript() {
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|$)/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  function pickLanguage(tag) {
    var lang = (tag && tag.getAttribute("data-lang")) || document.documentElement.lang || "de";
    return lang.toLowerCase().indexOf("en") === 0 ? "en" : "de";
  }

  // -- safe DOM helpers ---------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function allowedUrl(url) {
    var parsed;
    try { parsed = new URL(String(url)); } catch (e) { return null; }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
    var host = parsed.hostname.toLowerCase();
    for (var i = 0; i < LINK_DOMAINS.length; i++) {
      var domain = LINK_DOMAINS[i];
      if (host === domain || host.slice(-(domain.length + 1)) === "." + domain) return parsed.href;
    }
    return null;
  }

  // A title that links to its page when the page is on a city domain; plain text otherwise.
  function titleNode(title, url) {
    var href = url ? allowedUrl(url) : null;
    if (!href) {
      var span = el("span", "bsa-title", title);
      if (url) span.appendChild(el("span", "bsa-url", " (" + url + ")"));
      return span;
    }
    var link = el("a", "bsa-title", title);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  function dateText(updated) {
    return updated ? T.asOf + " " + updated : T.noDate;
  }

  // -- the shell: button, dialog, form -----------------------------------------------------------------

  var host = el("div");
  host.id = HOST_ID;
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", null, STYLE()));

  var launcher = el("button", "bsa-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", BILINGUAL_NAME);
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "bsa-panel");
  launcher.title = BILINGUAL_NAME;
  launcher.appendChild(el("span", "bsa-icon", "💬"));
  launcher.firstChild.setAttribute("aria-hidden", "true");

  var panel = el("div", "bsa-panel");
  panel.id = "bsa-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "bsa-heading");
  panel.hidden = true;

  var header = el("div", "bsa-header");
  var heading = el("h2", "bsa-heading", T.title);
  heading.id = "bsa-heading";
  var closeButton = el("button", "bsa-close", "×");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", T.close);
  header.appendChild(heading);
  header.appendChild(closeButton);

  var disclosure = el("div", "bsa-disclosure");
  disclosure.appendChild(el("p", null, DISCLOSURE.de)).lang = "de";
  disclosure.appendChild(el("p", null, DISCLOSURE.en)).lang = "en";

  var conversation = el("div", "bsa-log");
  conversation.setAttribute("role", "log");
  conversation.setAttribute("aria-live", "polite");

  var errorBox = el("div", "bsa-error");
  errorBox.setAttribute("role", "alert");
  errorBox.hidden = true;

  var form = el("form", "bsa-form");
  var label = el("label", "bsa-visually-hidden", T.question);
  label.htmlFor = "bsa-input";
  var input = el("input", "bsa-input");
  input.id = "bsa-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = MAX_CHARS;
  input.placeholder = T.placeholder;
  var sendButton = el("button", "bsa-send", T.send);
  sendButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(disclosure);
  panel.appendChild(conversation);
  panel.appendChild(errorBox);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  function openPanel() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) openPanel(); else closePanel(); });
  closeButton.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closePanel(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(input.value);
  });

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  // -- asking: POST /api/ask/stream, NDJSON lines ------------------------------------------------------

  function ask(raw) {
    var question = String(raw || "").trim();
    if (!question || busy) return;
    if (question.length > MAX_CHARS) { showError(T.tooLong); return; }
    showError("");
    busy = true;
    sendButton.disabled = true;
    input.value = "";
    conversation.appendChild(el("div", "bsa-msg bsa-user", question));
    var bubble = el("div", "bsa-msg bsa-assistant");
    bubble.setAttribute("aria-busy", "true");
    bubble.appendChild(el("p", "bsa-draft", T.thinking));
    conversation.appendChild(bubble);
    scrollDown();

    fetch(BASE + "api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: history.slice(-4), channel: "widget" })
    }).then(function (response) {
      if (!response.ok) return failedResponse(response);
      return readLines(response, function (event) {
        if (event.type === "evidence") {
          renderAnswer(bubble, event.answer, true); // verified quotes at once; not rated, not in the history
          scrollDown();
        } else if (event.type === "answer") {
          renderAnswer(bubble, event.answer);
          history.push({ role: "user", content: question });
          history.push({ role: "assistant", content: event.answer.answer });
        } else if (event.type === "error") {
          throw new Error(event.message || T.failed);
        }
      });
    }).catch(function (error) {
      bubble.remove();
      // fetch rejects (TypeError) when the server refuses this page's origin or cannot be reached
      showError(error instanceof TypeError ? T.unreachable : (error.message || T.failed));
    }).then(function () {
      bubble.removeAttribute("aria-busy");
      busy = false;
      sendButton.disabled = false;
      scrollDown();
    });
  }

  function failedResponse(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      var detail = body && typeof body.detail === "string" ? body.detail : "";
      if (response.status === 403) throw new Error(T.unreachable);
      throw new Error(response.status === 422 && detail ? detail : T.failed);
    });
  }

  function readLines(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
        var lines = buffer.split("\n");
        buffer = chunk.done ? "" : lines.pop();
        lines.forEach(function (line) { if (line.trim()) onEvent(JSON.parse(line)); });
        return chunk.done ? null : pump();
      });
    }
    return pump();
  }

  function scrollDown() {
    conversation.scrollTop = conversation.scrollHeight;
  }

  // -- rendering an Answer -----------------------------------------------------------------------------

  // provisional: the evidence answer shown while the model rewords it (a status note, no contact, no rating)
  function renderAnswer(bubble, answer, provisional) {
    bubble.textContent = "";
    if (answer.interaction_id && !provisional) bubble.setAttribute("data-interaction-id", answer.interaction_id);
    bubble.setAttribute("data-status", answer.status || "");
    if (provisional) {
      var note = el("p", "bsa-improving", T.improving);
      note.setAttribute("role", "status");
      bubble.appendChild(note);
    }
    if (answer.verified_by_staff) bubble.appendChild(el("p", "bsa-badge", "✓ " + T.verified));
    var text = el("div", "bsa-answer");
    String(answer.answer || "").split("\n").forEach(function (line) {
      if (line.trim()) text.appendChild(el("p", null, line));
    });
    bubble.appendChild(text);
    if (answer.supporting && answer.supporting.length) bubble.appendChild(supportingSection(answer.supporting));
    if (answer.disagreeing && answer.disagreeing.length) bubble.appendChild(disagreeingSection(answer.disagreeing));
    if (provisional) return;
    if (answer.contact) bubble.appendChild(contactSection(answer.contact, answer.interaction_id));
    if (CONFIG.explain && answer.interaction_id && answer.supporting && answer.supporting.length) {
      bubble.appendChild(explainSection(answer.interaction_id));
    }
    if (answer.interaction_id) bubble.appendChild(feedbackSection(answer.interaction_id));
  }

  function supportingSection(supporting) {
    var section = el("section", "bsa-sources");
    section.setAttribute("aria-label", T.sources);
    section.appendChild(el("h3", null, T.sources));
    var list = el("ol");
    // one entry per document, with every line the answer quotes from it
    groupByDocument(supporting).forEach(function (source) {
      var item = el("li");
      source.quotes.forEach(function (quote) { item.appendChild(el("span", "bsa-n", "[" + quote.n + "] ")); });
      item.appendChild(titleNode(source.title, source.url));
      item.appendChild(el("span", "bsa-date", " (" + dateText(source.updated) + ")"));
      source.quotes.forEach(function (quote) { item.appendChild(el("blockquote", "bsa-quote", quote.quote)); });
      list.appendChild(item);
    });
    section.appendChild(list);
    return section;
  }

  function groupByDocument(supporting) {
    var groups = [];
    var byDoc = {};
    supporting.forEach(function (evidence) {
      var group = byDoc[evidence.doc_id];
      if (!group) {
        group = { title: evidence.title, url: evidence.url, updated: evidence.updated, quotes: [] };
        byDoc[evidence.doc_id] = group;
        groups.push(group);
      }
      group.quotes.push({ n: evidence.n, quote: evidence.quote });
    });
    return groups;
  }

  function disagreeingSection(disagreeing) {
    var section = el("section", "bsa-disagreeing");
    section.setAttribute("aria-label", DISAGREEING_TITLE);
    section.appendChild(el("h3", null, "⚠ " + DISAGREEING_TITLE));
    var list = el("ul");
    disagreeing.forEach(function (item) {
      var entry = el("li");
      entry.appendChild(titleNode(item.title, item.url));
      entry.appendChild(el("span", "bsa-date", " (" + dateText(item.updated) + ")"));
      entry.appendChild(el("blockquote", "bsa-quote", item.quote));
      entry.appendChild(el("p", "bsa-reason", T.reason + ": " + item.reason +
        (item.conflicts_with ? " (" + T.conflictsWith + " [" + item.conflicts_with + "])" : "")));
      list.appendChild(entry);
    });
    section.appendChild(list);
    return section;
  }

  function contactSection(contact, interactionId) {
    var section = el("section", "bsa-contact");
    var toggle = el("button", "bsa-link-button", T.person);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    var details = el("dl", "bsa-contact-details");
    details.hidden = true;
    addDetail(details, T.office, titleNode(contact.office, contact.url));
    if (contact.room) addDetail(details, T.room, el("span", null, contact.room));
    if (contact.phone) addDetail(details, T.phone, phoneNode(contact.phone));
    if (contact.email) addDetail(details, T.email, el("span", null, contact.email));
    if (contact.hours && contact.hours.length) {
      var hours = el("ul", "bsa-hours");
      contact.hours.forEach(function (line) { hours.appendChild(el("li", null, line)); });
      addDetail(details, T.hours, hours);
    }
    toggle.addEventListener("click", function () {
      details.hidden = !details.hidden;
      toggle.setAttribute("aria-expanded", String(!details.hidden));
    });
    section.appendChild(toggle);
    section.appendChild(details);
    if (interactionId) details.appendChild(ticketForm(interactionId));
    return section;
  }

  // -- "talk to a person": POST /api/ticket (question, answer and sources are logged already) ----------

  function ticketForm(interactionId) {
    var form = el("form", "bsa-ticket");
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", null, T.ticket));
    var contactLabel = el("label", "bsa-comment-label", T.ticketContact);
    var contact = el("input", "bsa-ticket-contact");
    contact.maxLength = 300;
    contactLabel.appendChild(contact);
    var messageLabel = el("label", "bsa-comment-label", T.ticketMessage);
    var message = el("textarea", "bsa-comment");
    message.maxLength = 1000;
    message.rows = 2;
    messageLabel.appendChild(message);
    var submit = el("button", "bsa-send", T.ticketSend);
    submit.type = "submit";
    var status = el("p", "bsa-ticket-status");
    status.setAttribute("role", "status");
    [contactLabel, messageLabel, submit].forEach(function (node) { fieldset.appendChild(node); });
    form.appendChild(fieldset);
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      fetch(BASE + "api/ticket", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ interaction_id: interactionId, contact: contact.value.trim(), message: message.value.trim() })
      }).then(function (response) {
        if (!response.ok) throw new Error("ticket " + response.status);
        fieldset.hidden = true;
        status.textContent = T.ticketSent;
      }).catch(function () {
        submit.disabled = false;
        status.textContent = T.ticketFailed;
      });
    });
    return form;
  }

  function addDetail(list, term, value) {
    list.appendChild(el("dt", null, term));
    var dd = el("dd");
    dd.appendChild(value);
    list.appendChild(dd);
  }

  function phoneNode(phone) {
    var digits = String(phone).replace(/[^0-9+]/g, "");
    if (digits.length < 3) return el("span", null, phone);
    var link = el("a", null, phone);
    link.href = "tel:" + digits;
    return link;
  }

  // -- "why this answer?": POST /api/explain with the logged answer's id (nothing is answered twice) ----

  function explainSection(interactionId) {
    var section = el("section", "bsa-explain");
    var toggle = el("button", "bsa-link-button", T.why);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    var result = el("div", "bsa-explanation");
    result.setAttribute("role", "status");
    result.hidden = true;
    toggle.addEventListener("click", function () {
      if (!result.hidden) { result.hidden = true; toggle.setAttribute("aria-expanded", "false"); return; }
      result.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      if (result.getAttribute("data-done")) return;
      result.textContent = T.whyWorking;
      toggle.disabled = true;
      fetch(BASE + "api/explain", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ interaction_id: interactionId })
      }).then(function (response) {
        if (!response.ok) throw new Error("explain " + response.status);
        return response.json();
      }).then(function (explanation) {
        renderExplanation(result, explanation);
        result.setAttribute("data-done", "1");
      }).catch(function () {
        result.textContent = T.whyFailed;
      }).then(function () { toggle.disabled = false; });
    });
    section.appendChild(toggle);
    section.appendChild(result);
    return section;
  }

  function renderExplanation(target, explanation) {
    target.textContent = "";
    var items = explanation.attributions || [];
    if (!items.length) { target.appendChild(el("p", null, T.whyNone)); return; }
    target.appendChild(el("p", "bsa-why-intro", T.whyIntro));
    var list = el("ol", "bsa-attributions");
    items.forEach(function (item) {
      var entry = el("li", "bsa-attribution bsa-" + String(item.effect).replace(" ", "-"));
      entry.setAttribute("data-n", String(item.n));
      entry.appendChild(el("strong", "bsa-effect", T.effects[item.effect] || item.effect));
      entry.appendChild(document.createTextNode(" [" + item.n + "] " + item.title +
        (item.role === "disagreeing" ? " · " + T.disagreeingSource : "")));
      entry.appendChild(el("blockquote", "bsa-quote", item.quote));
      list.appendChild(entry);
    });
    target.appendChild(list);
  }

  // -- feedback: POST /api/feedback ---------------------------------------------------------------------

  function feedbackSection(interactionId) {
    var section = el("section", "bsa-feedback");
    var prompt = el("span", "bsa-feedback-prompt", T.helpful);
    var up = iconButton("👍", T.up);
    var down = iconButton("👎", T.down);
    var status = el("p", "bsa-feedback-status");
    status.setAttribute("role", "status");
    section.appendChild(prompt);
    section.appendChild(up);
    section.appendChild(down);
    var reasons = reasonForm(function (reason, comment) {
      send("down", reason, comment);
    });
    section.appendChild(reasons);
    section.appendChild(status);

    function send(rating, reason, comment) {
      up.disabled = down.disabled = true;
      postFeedback({ interaction_id: interactionId, rating: rating, reason: reason, comment: comment || "" })
        .then(function () {
          reasons.hidden = true;
          status.textContent = T.thanks;
        })
        .catch(function () {
          up.disabled = down.disabled = false;
          status.textContent = T.feedbackFailed;
        });
    }

    up.addEventListener("click", function () { up.setAttribute("aria-pressed", "true"); send("up", null, ""); });
    down.addEventListener("click", function () {
      down.setAttribute("aria-pressed", "true");
      reasons.hidden = false;
      var first = reasons.querySelector("input");
      if (first) first.focus();
    });
    return section;
  }

  function iconButton(icon, name) {
    var button = el("button", "bsa-thumb", icon);
    button.type = "button";
    button.setAttribute("aria-label", name);
    button.title = name;
    button.setAttribute("aria-pressed", "false");
    return button;
  }

  var reasonForms = 0;
  function reasonForm(onSubmit) {
    var id = "bsa-reason-" + (++reasonForms);
    var reasonsForm = el("form", "bsa-reasons");
    reasonsForm.hidden = true;
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", null, T.whyNot));
    Object.keys(T.reasons).forEach(function (key) {
      var option = el("label", "bsa-reason");
      var radio = el("input");
      radio.type = "radio";
      radio.name = id;
      radio.value = key;
      option.appendChild(radio);
      option.appendChild(document.createTextNode(" " + T.reasons[key]));
      fieldset.appendChild(option);
    });
    var commentLabel = el("label", "bsa-comment-label", T.comment);
    var comment = el("textarea", "bsa-comment");
    comment.maxLength = 1000;
    comment.rows = 2;
    commentLabel.appendChild(comment);
    fieldset.appendChild(commentLabel);
    var submit = el("button", "bsa-send", T.send);
    submit.type = "submit";
    fieldset.appendChild(submit);
    reasonsForm.appendChild(fieldset);
    reasonsForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var checked = reasonsForm.querySelector("input[type=radio]:checked");
      onSubmit(checked ? checked.value : (comment.value.trim() ? "other" : null), comment.value.trim());
    });
    return reasonsForm;
  }

  function postFeedback(feedback) {
    return fetch(BASE + "api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(feedback)
    }).then(function (response) {
      if (!response.ok) throw new Error("feedback " + response.status);
    });
  }

  // -- styles (inside the shadow root; the host page's CSS does not reach them) -------------------------

  function STYLE() {
    return [
      ":host { all: initial; }",
      "* { box-sizing: border-box; }",
      ".bsa-launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;",
      "  border-radius: 50%; border: 2px solid #fff; background: #00508c; color: #fff; font-size: 28px;",
      "  cursor: pointer; box-shadow: 0 2px 10px rgba(0,0,0,.35); }",
      ".bsa-launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible",
      "  { outline: 3px solid #ffbf47; outline-offset: 2px; }",
      ".bsa-panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: min(400px, calc(100vw - 40px));",
      "  max-height: min(640px, calc(100vh - 112px)); display: flex; flex-direction: column; background: #fff;",
      "  color: #1a1a1a; border: 1px solid #8a8a8a; border-radius: 10px; box-shadow: 0 4px 24px rgba(0,0,0,.3);",
      "  font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Arial, sans-serif; text-align: left; }",
      ".bsa-panel[hidden] { display: none; }",
      ".bsa-header { display: flex; align-items: center; justify-content: space-between; padding: 8px 12px;",
      "  background: #00508c; color: #fff; border-radius: 9px 9px 0 0; }",
      ".bsa-heading { margin: 0; font-size: 17px; font-weight: 600; color: inherit; }",
      ".bsa-close { background: transparent; border: 0; color: #fff; font-size: 26px; line-height: 1; cursor: pointer;",
      "  min-width: 36px; min-height: 36px; }",
      ".bsa-disclosure { padding: 8px 12px; background: #fff4d6; border-bottom: 1px solid #e0c97a; font-size: 13px; }",
      ".bsa-disclosure p { margin: 0 0 4px; }",
      ".bsa-log { flex: 1; overflow-y: auto; padding: 10px 12px; min-height: 120px; }",
      ".bsa-msg { margin: 0 0 10px; padding: 8px 10px; border-radius: 8px; overflow-wrap: anywhere; }",
      ".bsa-user { background: #e6f0f8; margin-left: 40px; white-space: pre-wrap; }",
      ".bsa-assistant { background: #f4f4f4; margin-right: 10px; }",
      ".bsa-assistant p { margin: 0 0 6px; }",
      ".bsa-draft { color: #444; white-space: pre-wrap; }",
      ".bsa-improving { color: #444; font-size: 13px; font-style: italic; }",
      ".bsa-badge { display: inline-block; background: #1d7a35; color: #fff; border-radius: 4px; padding: 1px 8px;",
      "  font-size: 13px; }",
      "h3 { font-size: 14px; margin: 10px 0 4px; color: #1a1a1a; }",
      "ol, ul { margin: 0; padding-left: 20px; }",
      "li { margin-bottom: 6px; }",
      ".bsa-quote { margin: 4px 0 0; padding-left: 8px; border-left: 3px solid #00508c; font-style: italic;",
      "  white-space: pre-wrap; }",
      ".bsa-date, .bsa-url { color: #555; font-size: 13px; }",
      ".bsa-disagreeing { margin-top: 8px; padding: 6px 8px; border: 2px solid #b35c00; border-radius: 6px;",
      "  background: #fff7ee; }",
      ".bsa-disagreeing .bsa-quote { border-left-color: #b35c00; }",
      ".bsa-reason { font-size: 13px; margin: 4px 0 0; }",
      ".bsa-contact dl { margin: 6px 0 0; }",
      ".bsa-contact dt { font-weight: 600; }",
      ".bsa-contact dd { margin: 0 0 4px; }",
      ".bsa-link-button { margin-top: 8px; background: #fff; border: 1px solid #00508c; color: #00508c;",
      "  border-radius: 6px; padding: 6px 10px; cursor: pointer; font: inherit; }",
      ".bsa-feedback { margin-top: 8px; font-size: 13px; }",
      ".bsa-explanation { margin-top: 6px; font-size: 13px; }",
      ".bsa-supports .bsa-effect { color: #0b5d1e; } .bsa-pulls-against .bsa-effect { color: #8a3b00; }",
      ".bsa-thumb { background: #fff; border: 1px solid #8a8a8a; border-radius: 6px; margin-left: 6px; min-width: 40px;",
      "  min-height: 36px; font-size: 18px; cursor: pointer; }",
      ".bsa-thumb[aria-pressed=true] { background: #e6f0f8; border-color: #00508c; }",
      ".bsa-reasons fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 6px 0 0; padding: 6px 8px; }",
      ".bsa-reason { display: block; padding: 2px 0; }",
      ".bsa-comment-label { display: block; margin-top: 4px; }",
      ".bsa-comment { display: block; width: 100%; font: inherit; margin-top: 2px; }",
      ".bsa-error { margin: 0 12px 8px; padding: 8px 10px; border: 2px solid #b00020; border-radius: 6px;",
      "  background: #fdecee; color: #7a0016; }",
      ".bsa-error[hidden], [hidden] { display: none !important; }",
      ".bsa-form { display: flex; gap: 6px; padding: 10px 12px; border-top: 1px solid #ddd; }",
      ".bsa-input { flex: 1; min-height: 40px; padding: 6px 8px; font: inherit; border: 1px solid #8a8a8a;",
      "  border-radius: 6px; color: #1a1a1a; background: #fff; }",
      ".bsa-send { min-height: 40px; padding: 6px 14px; background: #00508c; color: #fff; border: 0;",
      "  border-radius: 6px; font: inherit; cursor: pointer; }",
      ".bsa-send:disabled { background: #7a9bb5; cursor: wait; }",
      "a { color: #00508c; }",
      ".bsa-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);",
      "  white-space: nowrap; }"
    ].join("\n");
  }

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();

// The web chat.
//
// Safety rules this file keeps:
// - Text from the person, the assistant or the guidance is only ever written with
//   textContent or createTextNode, never innerHTML, so it can never run as code.
// - Every phone number becomes a tel: link (Shout's 85258 an sms: link).
// - The only thing stored is the conversation id the API issued for this tab
//   (sessionStorage); the API replaces it after a report is sent. Quick exit
//   (the button or Esc) clears it, empties the page and replaces this page in the
//   tab's history with a neutral site, so Back does not return to the chat.
(function () {
  "use strict";

  var NEUTRAL_SITE = "https://www.bbc.co.uk/weather";
  var CONVERSATION_KEY = "chat-conversation";
  var MAX_QUERY_CHARS = 500;
  // The emergency number as the page shows it (the API fills it in from the corpus).
  var EMERGENCY = document.querySelector(".emergency-link").textContent;
  var NOT_WORKING =
    "Sorry, the chat is not working right now. If anyone is in danger, phone " + EMERGENCY + ".";

  // Emails and web addresses first, so the digits in "116000@runawayhelpline.org.uk"
  // are not taken for a phone number; then Shout's text number; then phone numbers:
  // UK numbers starting 0 ("0121 303 1888", "0800 1111", "07825 318075"), the 116
  // helplines ("116 000", "116123"), 999 and 101.
  var LINKABLE = new RegExp(
    [
      "([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})",
      "((?:https?:\\/\\/|www\\.)[^\\s<>()\"']*[^\\s<>().,;:!?\"'])",
      "(\\b85258\\b)",
      "(\\b0\\d{3,4}(?:[ \\u00a0]\\d{3,6}){1,2}\\b|\\b0\\d{9,10}\\b|\\b116[ \\u00a0]?\\d{3}\\b" +
        "|\\b999\\b|\\b101\\b)"
    ].join("|"),
    "g"
  );

  var log = document.getElementById("log");
  var statusLine = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var exitButton = document.getElementById("quick-exit");

  var audience = null;
  var leaving = false;
  var inFlight = [];
  var queue = Promise.resolve();
  var lastBotMessage = null;
  var memoryConversation = null;

  // ------------------------------------------------------------------ small helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // The API issues the id with its first reply; until then there is none.
  function conversationId() {
    try {
      return sessionStorage.getItem(CONVERSATION_KEY) || memoryConversation;
    } catch (e) {
      return memoryConversation;
    }
  }

  function rememberConversation(id) {
    if (typeof id !== "string" || !id) { return; }
    memoryConversation = id;
    try {
      sessionStorage.setItem(CONVERSATION_KEY, id);
    } catch (e) {
      // Storage switched off: the id lives in memory for as long as the page is open.
    }
  }

  function fetchJson(url, options) {
    var controller = new AbortController();
    inFlight.push(controller);
    var settings = Object.assign({ signal: controller.signal, credentials: "same-origin" }, options);
    return fetch(url, settings).then(function (response) {
      // 429 still carries a reply (with the emergency numbers) for the person to read.
      if (!response.ok && response.status !== 429) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).finally(function () {
      inFlight = inFlight.filter(function (c) { return c !== controller; });
    });
  }

  // ------------------------------------------------------------------ text and links

  function linkFor(kind, match) {
    var link = el("a", null, match);
    if (kind === 1) {
      link.href = "mailto:" + match;
    } else if (kind === 2) {
      link.href = /^https?:\/\//i.test(match) ? match : "https://" + match;
      link.rel = "noopener noreferrer";
    } else if (kind === 3) {
      link.href = "sms:" + match;
      link.setAttribute("aria-label", "Text " + match);
    } else {
      link.href = "tel:" + match.replace(/[\s\u00a0]/g, "");
      link.className = "phone";
    }
    return link;
  }

  // Append text to parent, turning phone numbers, emails and web addresses into links.
  function appendLinked(parent, text) {
    var last = 0;
    var match;
    LINKABLE.lastIndex = 0;
    while ((match = LINKABLE.exec(text)) !== null) {
      var kind = match[1] ? 1 : match[2] ? 2 : match[3] ? 3 : 4;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(linkFor(kind, match[0]));
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Bot text: lines starting "- " become a list; a line starting "From: " is the
  // citation. Returns the citation line, if there is one.
  function appendParagraphs(container, text) {
    var list = null;
    var citation = null;
    String(text).split(/\r?\n/).forEach(function (line) {
      var bullet = /^\s*[-•*]\s+(.*)$/.exec(line);
      if (bullet) {
        if (!list) { list = container.appendChild(el("ul", "list list--bullet")); }
        appendLinked(list.appendChild(el("li")), bullet[1]);
        return;
      }
      list = null;
      if (!line.trim()) { return; }
      if (/^From: /.test(line.trim())) {
        citation = line.trim();
        container.appendChild(el("p", "citation", citation));
        return;
      }
      appendLinked(container.appendChild(el("p")), line);
    });
    return citation;
  }

  // ------------------------------------------------------------------ the log

  function addMessage(who, label) {
    var message = el("div", "msg msg--" + who);
    message.appendChild(el("span", "visually-hidden", label));
    var body = message.appendChild(el("div", "msg-body"));
    log.appendChild(message);
    return { message: message, body: body };
  }

  function showUser(text) {
    var parts = addMessage("user", "You said: ");
    parts.body.appendChild(el("p", "user-text", text));
    parts.message.scrollIntoView({ block: "end" });
  }

  function showBot(text) {
    var parts = addMessage("bot", "The assistant said: ");
    var citation = appendParagraphs(parts.body, text);
    lastBotMessage = parts.message;
    if (citation) {
      var withoutCitation = String(text).split(/\r?\n/).filter(function (line) {
        return !/^From: /.test(line.trim());
      }).join(" ");
      attachGuidance(parts.message, null, citation, withoutCitation);
    }
    parts.message.scrollIntoView({ block: "end" });
    return parts.message;
  }

  // A choice answers one question: once it is made, or a newer question is asked,
  // the older buttons stay visible (so the conversation still reads) but switch off.
  function disableChoices(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll(".choices button"), function (b) {
      b.disabled = true;
    });
  }

  function audienceFrom(payload) {
    var found = /^\/choose_audience(\{.*\})$/.exec(payload || "");
    if (!found) { return null; }
    try {
      var value = JSON.parse(found[1]).audience;
      return typeof value === "string" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function recordIdFrom(payload) {
    var found = /^\/show_record(\{.*\})$/.exec(payload || "");
    if (!found) { return null; }
    try {
      var value = JSON.parse(found[1]).record_id;
      return typeof value === "string" && value ? value : null;
    } catch (e) {
      return null;
    }
  }

  function showChoices(buttons) {
    disableChoices(log);
    var group = el("div", "choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choose an answer");
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") { return; }
      var button = el("button", "button button--secondary", b.title);
      button.type = "button";
      button.addEventListener("click", function () {
        button.classList.add("chosen");
        button.setAttribute("aria-pressed", "true");
        disableChoices(group);
        audience = audienceFrom(b.payload) || audience;
        send(String(b.payload || b.title), b.title);
        input.focus();
      });
      group.appendChild(button);
    });
    log.appendChild(group);
  }

  function showReply(messages) {
    messages.forEach(function (m) {
      if (!m || typeof m !== "object") { return; }
      var target = null;
      if (typeof m.text === "string" && m.text) { target = showBot(m.text); }
      var custom = m.custom;
      if (custom && typeof custom === "object" && custom.record_id) {
        var host = target || lastBotMessage;
        if (host) {
          attachGuidance(host, String(custom.record_id), custom.citation || null, null);
        }
      }
      if (Array.isArray(m.buttons) && m.buttons.length) {
        // "Read the full guidance" buttons open the record in place instead of sending
        // a message, so reading the guidance never changes the conversation.
        var choices = m.buttons.filter(function (b) {
          var id = recordIdFrom(b && b.payload);
          var host = target || lastBotMessage;
          if (id && host) { attachGuidance(host, id, null, null); }
          return !(id && host);
        });
        if (choices.length) { showChoices(choices); }
      }
    });
  }

  function setBusy(busy) {
    log.setAttribute("aria-busy", busy ? "true" : "false");
    log.dataset.busy = busy ? "true" : "false";
    statusLine.textContent = busy ? "The assistant is replying…" : "";
  }

  // Messages go one at a time, so replies always appear in the order things were said.
  function send(message, shown) {
    if (leaving) { return queue; }
    if (shown !== null) { showUser(shown === undefined ? message : shown); }
    queue = queue.then(function () {
      if (leaving) { return null; }
      setBusy(true);
      return fetchJson("/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ conversation_id: conversationId(), message: message })
      }).then(function (data) {
        if (leaving) { return; }
        rememberConversation(data.conversation_id);
        showReply(Array.isArray(data.messages) ? data.messages : []);
      }).catch(function () {
        if (!leaving) { showBot(NOT_WORKING); }
      }).finally(function () {
        if (!leaving) { setBusy(false); }
      });
    });
    return queue;
  }

  // ------------------------------------------------------------------ full guidance

  function headingText(level, text) {
    return el("h" + Math.min(level, 6), "guidance-heading", text);
  }

  function showContacts(parent, contacts, level) {
    if (!contacts || !contacts.length) { return; }
    parent.appendChild(headingText(level, "Who to contact"));
    var list = parent.appendChild(el("ul", "list contacts"));
    contacts.forEach(function (c) {
      var item = list.appendChild(el("li"));
      item.appendChild(el("strong", null, c.name));
      if (c.phone) {
        item.appendChild(document.createTextNode(": "));
        appendLinked(item, c.phone);
      }
      if (c.hours) { item.appendChild(document.createTextNode(" (" + c.hours + ")")); }
      if (c.email) {
        item.appendChild(document.createTextNode(". Email: "));
        appendLinked(item, c.email);
      }
      if (c.url) {
        item.appendChild(document.createTextNode(". Website: "));
        appendLinked(item, c.url);
      }
      if (c.description) { item.appendChild(el("span", "contact-description", c.description)); }
    });
  }

  function showRecord(panel, record, level) {
    panel.textContent = "";
    if (level <= 3) { panel.appendChild(headingText(level, record.title)); }
    var answer = audience === "young_person" && record.young_person_answer
      ? record.young_person_answer
      : record.answer;
    appendParagraphs(panel, answer);
    if (record.key_facts && record.key_facts.length) {
      panel.appendChild(headingText(level + 1, "Key facts"));
      var facts = panel.appendChild(el("ul", "list list--bullet"));
      record.key_facts.forEach(function (f) { appendLinked(facts.appendChild(el("li")), f.text); });
    }
    showContacts(panel, record.contacts, level + 1);
    panel.appendChild(el("p", "citation", record.citation));
    if (level <= 3 && record.related && record.related.length) {
      panel.appendChild(headingText(level + 1, "Related guidance"));
      record.related.forEach(function (r) {
        panel.appendChild(disclosure(r.title, function (inner) {
          return loadRecord(inner, r.id, level + 2);
        }));
      });
    }
  }

  function loadRecord(panel, id, level) {
    return fetchJson("/guidance/" + encodeURIComponent(id)).then(function (record) {
      if (!leaving) { showRecord(panel, record, level); }
    });
  }

  // Without a record id, find the record whose citation matches the "From:" line and
  // whose text best matches the answer.
  function findRecordId(citation, text) {
    var params = new URLSearchParams({ q: (text || citation).slice(0, MAX_QUERY_CHARS), limit: "10" });
    if (audience) { params.set("audience", audience); }
    return fetchJson("/guidance/search?" + params.toString()).then(function (data) {
      var hit = (data.hits || []).find(function (h) { return h.citation === citation; });
      return hit ? hit.id : null;
    });
  }

  function disclosure(summaryText, load) {
    var details = el("details", "details guidance");
    var summary = details.appendChild(el("summary", "details-summary"));
    summary.appendChild(el("span", "details-summary-text", summaryText));
    var panel = details.appendChild(el("div", "details-text"));
    var started = false;
    details.addEventListener("toggle", function () {
      if (!details.open || started) { return; }
      started = true;
      panel.setAttribute("aria-busy", "true");
      panel.textContent = "Loading the guidance…";
      load(panel).catch(function () {
        if (leaving) { return; }
        started = false;
        panel.textContent = "Sorry, the full guidance could not be loaded. Please try again.";
      }).finally(function () {
        panel.setAttribute("aria-busy", "false");
      });
    });
    return details;
  }

  function attachGuidance(message, recordId, citation, text) {
    var existing = message.querySelector(":scope > .guidance");
    if (existing) {
      if (recordId && !existing.dataset.recordId) { existing.dataset.recordId = recordId; }
      return;
    }
    if (citation && !message.querySelector(".citation")) {
      message.querySelector(".msg-body").appendChild(el("p", "citation", citation));
    }
    var details = disclosure("Read the full guidance", function (panel) {
      var id = details.dataset.recordId;
      var found = id ? Promise.resolve(id) : findRecordId(citation || "", text || "");
      return found.then(function (resolved) {
        if (!resolved) {
          panel.textContent = "Sorry, the full guidance for this answer could not be found.";
          return null;
        }
        details.dataset.recordId = resolved;
        return loadRecord(panel, resolved, 3);
      });
    });
    if (recordId) { details.dataset.recordId = recordId; }
    message.appendChild(details);
  }

  // ------------------------------------------------------------------ quick exit

  function quickExit(event) {
    if (event) { event.preventDefault(); }
    leaving = true;
    memoryConversation = null;
    inFlight.forEach(function (c) { c.abort(); });
    try { sessionStorage.clear(); } catch (e) { /* storage may be switched off */ }
    try { localStorage.clear(); } catch (e) { /* storage may be switched off */ }
    try { history.replaceState(null, "", "/"); } catch (e) { /* not allowed: carry on */ }
    document.title = "";
    document.body.textContent = "";
    window.location.replace(NEUTRAL_SITE);
  }

  // ------------------------------------------------------------------ wiring

  exitButton.addEventListener("click", quickExit);
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Esc") && !e.isComposing) { quickExit(e); }
  });
  window.addEventListener("pageshow", function (e) {
    // Restored from the back-forward cache after leaving: do not show the chat again.
    if (e.persisted && leaving) { document.body.textContent = ""; }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  setBusy(false);
  send("/greet", null);
}());

// The web chat. Every message is written with textContent, never innerHTML, so text
// from the person or the assistant can never run as code. Phone numbers become tel:
// links. Nothing is stored beyond this tab's sessionStorage, which quick exit clears.
(function () {
  "use strict";
  var NEUTRAL_SITE = "https://www.bbc.co.uk/weather";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var PHONE = /(\b0\d{3} ?\d{3} ?\d{4}\b|\b0800 ?\d{3} ?\d{3,4}\b|\b116 ?\d{3}\b|\b85258\b|\b999\b|\b101\b)/g;

  function senderId() {
    var id = sessionStorage.getItem("chat-sender");
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      sessionStorage.setItem("chat-sender", id);
    }
    return id;
  }

  function appendText(parent, text) {
    var last = 0;
    text.replace(PHONE, function (match, _g, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = document.createElement("a");
      link.href = "tel:" + match.replace(/\s/g, "");
      link.textContent = match;
      parent.appendChild(link);
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function show(who, text) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    appendText(div, text || "");
    log.appendChild(div);
    div.scrollIntoView({ block: "end" });
  }

  function showButtons(buttons) {
    var box = document.createElement("div");
    box.className = "choices";
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () { send(b.payload, b.title); });
      box.appendChild(button);
    });
    log.appendChild(box);
  }

  function send(message, shown) {
    show("user", shown === undefined ? message : shown);
    return fetch("/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: senderId(), message: message })
    }).then(function (r) { return r.json(); }).then(function (data) {
      (data.messages || []).forEach(function (m) {
        if (m.text) { show("bot", m.text); }
        if (m.buttons && m.buttons.length) { showButtons(m.buttons); }
      });
    }).catch(function () {
      show("bot", "Sorry, the chat is not working. If anyone is in danger, phone 999.");
    });
  }

  function quickExit() {
    try { sessionStorage.clear(); localStorage.clear(); } catch (e) { /* storage may be off */ }
    log.textContent = "";
    window.location.replace(NEUTRAL_SITE);
  }

  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { quickExit(); } });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  send("/greet", "Hello");
}());

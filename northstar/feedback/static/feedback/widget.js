/* Northstar in-app feedback widget.
 * <script src="https://northstar.example.com/static/feedback/widget.js" data-key="ns_w_…" defer></script>
 * Adds a small "Feedback" button; the form posts to the site's Northstar with the site's key.
 * A signed-in app may add data-token="<JWT signed with the site's secret>" (as for portal sign-in):
 * the feedback is then filed under that person and their account, and no email is asked for.
 * Sent as text/plain so the browser needs no CORS preflight; everything is built with DOM calls
 * (no innerHTML), so nothing the page or the user types is ever run as markup.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute("data-key");
  var token = script.getAttribute("data-token") || "";
  var endpoint = new URL("/api/v1/widget/feedback", script.src).toString();
  if (!key) return;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  var style = "position:fixed;right:16px;bottom:16px;z-index:2147483000;font:14px system-ui,sans-serif;";
  var button = el("button", { type: "button", "aria-expanded": "false", style: style +
    "background:#3b4bd8;color:#fff;border:0;border-radius:999px;padding:10px 16px;cursor:pointer;" }, "Feedback");
  var panel = el("form", { style: style + "bottom:64px;width:300px;background:#fff;color:#222;border:1px solid #ccc;" +
    "border-radius:10px;padding:14px;box-shadow:0 6px 24px rgba(0,0,0,.15);display:none;" });
  var label = el("label", { "for": "ns-widget-text", style: "display:block;font-weight:600;margin-bottom:6px;" },
    "What could be better?");
  var text = el("textarea", { id: "ns-widget-text", rows: "4", required: "required", maxlength: "5000",
    style: "width:100%;box-sizing:border-box;margin-bottom:8px;" });
  var email = el("input", { type: "email", placeholder: "Your email (optional)", autocomplete: "email",
    style: "width:100%;box-sizing:border-box;margin-bottom:8px;" });
  var trap = el("input", { type: "text", tabindex: "-1", autocomplete: "off", "aria-hidden": "true",
    style: "position:absolute;left:-9999px;" });
  var send = el("button", { type: "submit", style: "background:#3b4bd8;color:#fff;border:0;border-radius:6px;padding:8px 14px;" }, "Send");
  var note = el("p", { role: "status", style: "margin:8px 0 0;font-size:13px;" });
  [label, text].concat(token ? [] : [email]).concat([trap, send, note]).forEach(function (n) { panel.appendChild(n); });

  button.addEventListener("click", function () {
    var open = panel.style.display === "none";
    panel.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) text.focus();
  });

  panel.addEventListener("submit", function (event) {
    event.preventDefault();
    send.disabled = true;
    note.textContent = "Sending…";
    fetch(endpoint, {
      method: "POST",
      credentials: "omit", // never a Northstar session: the widget posts as an anonymous visitor
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ key: key, text: text.value, email: token ? "" : email.value, token: token,
        page: location.pathname, website: trap.value }),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      note.textContent = result.ok ? "Thank you! We read every message." : (result.data.message || "Could not send.");
      if (result.ok) text.value = "";
    }).catch(function () {
      note.textContent = "Could not send: please try again later.";
    }).finally(function () { send.disabled = false; });
  });

  document.body.appendChild(button);
  document.body.appendChild(panel);
})();

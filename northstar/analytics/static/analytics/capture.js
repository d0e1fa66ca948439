/* Northstar product analytics capture.
 * <script src="https://northstar.example.com/static/analytics/capture.js" data-key="ns_a_…" async></script>
 * Page views (single-page-app route changes too), clicks (element selector and position, never the
 * element's text), dead clicks (nothing happened within a second), JavaScript errors, Core Web Vitals
 * forms started and submitted (the form's selector only), and custom events:
 * window.northstar.track(name, props), window.northstar.identify(user, account).
 * Never reads input values. Honours Do-Not-Track; with data-consent="required" it sends nothing until
 * window.northstar.consent(true). Every handler is wrapped: a failure here never breaks the host page.
 */
(function () {
  "use strict";
  try {
    var script = document.currentScript;
    var key = script && script.getAttribute("data-key");
    if (!key || window.northstar) return;
    var endpoint = script.getAttribute("data-endpoint") || new URL("/api/v1/analytics/collect", script.src).toString();
    var dnt = navigator.doNotTrack === "1" || window.doNotTrack === "1";
    var consent = script.getAttribute("data-consent") !== "required";
    var queue = [], retries = [], stopped = dnt, delay = 1000, timer = null, lastChange = 0;
    var send = window.fetch.bind(window); /* our own requests are not a reaction to a click */
    var visitor = stored("ns_v") || rnd(), who = { user: "", account: "" };
    store("ns_v", visitor);

    function rnd() { return Math.random().toString(36).slice(2) + Date.now().toString(36); }
    function stored(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
    function store(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
    function safe(fn) { return function () { try { return fn.apply(this, arguments); } catch (e) { /* never break the page */ } }; }
    function cut(s, n) { return String(s || "").slice(0, n); }

    function push(event, when) {
      if (stopped) return;
      event.at = new Date(when || Date.now()).toISOString();
      event.visitor = visitor;
      event.path = event.path || cut(location.pathname, 300) || "/";
      if (who.user) event.user = who.user;
      if (who.account) event.account = who.account;
      queue.push(event);
      if (queue.length >= 50) flush(); else if (!timer) timer = setTimeout(flush, 5000);
    }

    var flush = safe(function (leaving) {
      clearTimeout(timer); timer = null;
      if (stopped || !consent || !(retries.length || queue.length)) return;
      /* a batch keeps its id across retries, so the server stores it once even when only its answer was lost */
      var batch = retries.shift() || { id: batchId(), events: queue.splice(0, 200) };
      var body = JSON.stringify({ key: key, consent: consent, batch_id: batch.id, events: batch.events });
      if (leaving && navigator.sendBeacon) { navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" })); return; }
      send(endpoint, { method: "POST", body: body, keepalive: true, headers: { "Content-Type": "text/plain" } })
        .then(function (r) {
          if (r.status === 429 || r.status >= 500) retry(batch);
          else if (r.status >= 400) stopped = true; /* the server refuses this key or payload: stop */
          else { delay = 1000; if (retries.length) { clearTimeout(timer); timer = setTimeout(flush, 0); } }
        }, function () { retry(batch); });
    });

    function batchId() {
      try { if (window.crypto && crypto.randomUUID) return crypto.randomUUID(); } catch (e) { /* not a secure context */ }
      return rnd() + rnd();
    }

    function retry(batch) {
      retries.push(batch);
      while (retries.length > 5) retries.shift(); /* at most 1,000 events wait for a server that is down */
      delay = Math.min(delay * 2, 60000);
      clearTimeout(timer);
      timer = setTimeout(flush, delay);
    }

    function selector(node) {
      var parts = [];
      for (var i = 0; node && node.nodeType === 1 && i < 5; i++, node = node.parentElement) {
        var part = node.tagName.toLowerCase();
        if (node.id) { parts.unshift(part + "#" + node.id); break; }
        var hook = node.getAttribute("data-testid") || node.getAttribute("name");
        if (hook) part += "[" + (node.getAttribute("data-testid") ? "data-testid" : "name") + "=\"" + cut(hook, 40) + "\"]";
        else if (typeof node.className === "string" && node.className.trim()) part += "." + node.className.trim().split(/\s+/).slice(0, 2).join(".");
        parts.unshift(part);
      }
      return cut(parts.join(" > "), 300);
    }

    var forms = {}; /* forms already started on this page view */
    function page() { forms = {}; push({ type: "pageview" }); }
    var pushState = history.pushState;
    history.pushState = function () { var r = pushState.apply(this, arguments); safe(page)(); lastChange = Date.now(); return r; };
    window.addEventListener("popstate", safe(page));

    new MutationObserver(function () { lastChange = Date.now(); })
      .observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
    window.fetch = function () { lastChange = Date.now(); return send.apply(window, arguments); };
    var xhrSend = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () { lastChange = Date.now(); return xhrSend.apply(this, arguments); };

    document.addEventListener("click", safe(function (e) {
      var at = Date.now(), where = location.href, event = {
        type: "click", selector: selector(e.target) || "unknown", path: cut(location.pathname, 300) || "/",
        x: Math.max(0, Math.round(e.pageX || 0)), y: Math.max(0, Math.round(e.pageY || 0)),
      };
      setTimeout(safe(function () {
        event.dead = lastChange < at && location.href === where;
        push(event, at); /* stamped with the click's time, not the time it was judged */
      }), 1000);
    }), true);

    /* Form abandonment: the first focus in a form's field on a page view, and the form's submit.
     * Only the form's selector is sent, never a field's value or name. */
    document.addEventListener("focusin", safe(function (e) {
      var form = e.target && e.target.form, sel = form && (selector(form) || "form");
      if (!sel || forms[sel]) return;
      forms[sel] = 1;
      push({ type: "custom", name: "$form_start", selector: sel });
    }), true);
    document.addEventListener("submit", safe(function (e) {
      push({ type: "custom", name: "$form_submit", selector: selector(e.target) || "form" });
      flush(true); /* the page may be leaving */
    }), true);

    window.addEventListener("error", safe(function (e) {
      push({ type: "error", name: cut(e.message || "Error", 120), stack: cut(e.error && e.error.stack, 4000) });
    }));
    window.addEventListener("unhandledrejection", safe(function (e) {
      var r = e.reason || {};
      push({ type: "error", name: cut(r.message || String(r), 120), stack: cut(r.stack, 4000) });
    }));

    function vital(name, value) { push({ type: "vital", name: name, value: Math.max(0, Math.round(value * 1000) / 1000) }); }
    var lcp = 0, cls = 0, inp = 0;
    function observe(type, fn) { try { new PerformanceObserver(safe(function (l) { l.getEntries().forEach(fn); })).observe({ type: type, buffered: true }); } catch (e) { /* unsupported */ } }
    observe("largest-contentful-paint", function (e) { lcp = e.startTime; });
    observe("layout-shift", function (e) { if (!e.hadRecentInput) cls += e.value; });
    observe("event", function (e) { inp = Math.max(inp, e.duration); });
    document.addEventListener("visibilitychange", safe(function () {
      if (document.visibilityState !== "hidden") return;
      if (lcp) vital("LCP", lcp); if (inp) vital("INP", inp); vital("CLS", cls);
      lcp = inp = 0; cls = 0;
      flush(true);
    }));
    window.addEventListener("pagehide", safe(function () { flush(true); }));

    window.northstar = {
      track: safe(function (name, props) { push({ type: "custom", name: cut(name, 120), props: props || {} }); }),
      identify: safe(function (user, account) { who.user = cut(user, 120); who.account = cut(account, 120); }),
      consent: safe(function (yes) { consent = !!yes; if (!consent) { queue = []; retries = []; } else flush(); }),
    };
    page();
  } catch (e) { /* never break the host page */ }
})();

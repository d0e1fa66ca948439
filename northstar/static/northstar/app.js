// Northstar: the little JavaScript the pages need beyond htmx.
// Without it everything still works: the navigation simply stays open on small screens.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });

  // Copy buttons (the API token shown once).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });

  // Behaviour that used to sit in inline handlers (the Content-Security-Policy allows no inline script):
  // a select that submits its form when changed, a field that selects its text when clicked.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  document.addEventListener("click", function (event) {
    var field = event.target.closest("[data-select-on-click]");
    if (field) field.select();
  });

  // Selecting a passage of a feedback item fills the quote fields, so a quote is one drag away.
  document.addEventListener("mouseup", function () {
    var text = document.getElementById("feedback-text");
    var selection = window.getSelection();
    if (!text || !selection || selection.isCollapsed || !text.contains(selection.anchorNode)) return;
    var quote = selection.toString().trim();
    document.querySelectorAll("[data-quote-target], [data-quote-copy]").forEach(function (el) { el.value = quote; });
  });

  // Charts: the server renders each figure as JSON beside an empty box (data-plotly-figure names the
  // JSON's element); draw every box not drawn yet, on load and in fragments htmx swaps in. A chart
  // with data-plotly-links opens the address in a point's first custom value when it is clicked.
  function drawCharts(root) {
    if (!window.Plotly) return;
    (root || document).querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly-figure"));
      if (!source || el.dataset.drawn) return;
      var figure = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      var config = figure.config || { responsive: true, displaylogo: false };
      window.Plotly.newPlot(el, figure.data, figure.layout, config);
      if (el.hasAttribute("data-plotly-links")) {
        el.on("plotly_click", function (event) {
          var point = event.points && event.points[0];
          if (point && point.customdata) window.location.href = point.customdata[0];
        });
      }
    });
  }
  // "/" (or Ctrl/Cmd+K) anywhere but a field jumps to the search box marked data-search-shortcut.
  document.addEventListener("keydown", function (event) {
    var box = document.querySelector("[data-search-shortcut]");
    if (!box) return;
    var typing = event.target.closest("input, textarea, select, [contenteditable]");
    var wanted = (event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey));
    if (!wanted) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // A link to "#comment-12" lands on a thread HTMX loads after the page: scroll there once it arrives.
  document.addEventListener("htmx:afterSwap", function (event) {
    var id = window.location.hash.slice(1);
    if (!id) return;
    var target = document.getElementById(id);
    if (target && event.target.contains(target)) target.scrollIntoView({ block: "center" });
  });

  // Pickers (core.forms.Picker): a combobox whose options htmx fetches as the person types. Arrow keys
  // move through them, Enter or a click picks one, Escape closes the list; leaving the field without
  // picking puts back the name that was chosen, and emptying it clears the choice.
  function pickerParts(el) {
    var box = el.closest("[data-picker]");
    if (!box) return null;
    var input = box.querySelector("[data-picker-input]");
    return { box: box, input: input, list: document.getElementById(input.getAttribute("aria-controls")),
             value: box.querySelector("[data-picker-value]"), multiple: box.hasAttribute("data-picker-multiple") };
  }
  function pickerOpen(p, open) {
    p.list.hidden = !open;
    p.input.setAttribute("aria-expanded", String(open));
    if (!open) pickerActivate(p, null);
  }
  function pickerOptions(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }
  function pickerActivate(p, option) {
    p.list.querySelectorAll("[aria-selected=true]").forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    if (option) {
      option.setAttribute("aria-selected", "true");
      p.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }
  function pickerChoose(p, option) {
    var value = option.getAttribute("data-value"), label = option.getAttribute("data-label");
    if (p.multiple) {
      var chosen = p.box.querySelector(".picker-chosen");
      var exists = Array.prototype.some.call(chosen.querySelectorAll("input"), function (i) { return i.value === value; });
      if (!exists) {
        var item = document.createElement("li");
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = p.box.getAttribute("data-picker-name"); hidden.value = value;
        var remove = document.createElement("button");
        remove.type = "button"; remove.className = "picker-remove"; remove.textContent = "×";
        remove.setAttribute("data-picker-remove", ""); remove.setAttribute("aria-label", "Remove " + label);
        item.appendChild(hidden); item.appendChild(document.createTextNode(label + " ")); item.appendChild(remove);
        chosen.appendChild(item);
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      p.input.value = "";
    } else {
      p.value.value = value;
      p.input.value = label;
      p.input.setAttribute("data-picker-chosen", label);
      p.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
    pickerOpen(p, false);
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.matches || !input.matches("[data-picker-input]")) return;
    // Focusing a field that shows its chosen name lists from the start rather than that one name.
    var text = input.value === input.getAttribute("data-picker-chosen") ? "" : input.value;
    event.detail.parameters.q = text;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target.matches(".picker-options")) return;
    var p = pickerParts(event.target);
    if (p && p.box.contains(document.activeElement)) pickerOpen(p, true);
  });
  document.addEventListener("keydown", function (event) {
    if (!event.target.matches || !event.target.matches("[data-picker-input]")) return;
    var p = pickerParts(event.target);
    var options = pickerOptions(p);
    var active = p.list.querySelector("[aria-selected=true]");
    var at = options.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (p.list.hidden) { pickerOpen(p, options.length > 0); }
      if (!options.length) return;
      var next = event.key === "ArrowDown" ? Math.min(at + 1, options.length - 1) : Math.max(at - 1, 0);
      pickerActivate(p, options[next]);
    } else if (event.key === "Enter" && !p.list.hidden && active) {
      event.preventDefault();
      pickerChoose(p, active);
    } else if (event.key === "Escape" && !p.list.hidden) {
      event.preventDefault();
      pickerOpen(p, false);
    } else if (event.key === "Tab") {
      pickerOpen(p, false);
    }
  });
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-picker-input]")) return;
    var p = pickerParts(event.target);
    // The options listed were for the text before this keystroke: drop them until the search for the
    // new text answers, so nobody clicks a match for what they typed a moment ago.
    p.list.innerHTML = "";
    pickerOpen(p, false);
    // A single choice is the name shown: once the text no longer is that name, nothing is chosen (the
    // form then asks to pick from the list rather than keeping an id the field no longer shows).
    if (!p.multiple && event.target.value !== event.target.getAttribute("data-picker-chosen") && p.value.value) {
      p.value.value = "";
      event.target.setAttribute("data-picker-chosen", "");
      p.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  // mousedown, not click: a click would first blur the field and close the list under the pointer.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".picker-options [role=option]");
    if (!option) return;
    event.preventDefault();
    if (option.getAttribute("aria-disabled") === "true") return;
    pickerChoose(pickerParts(option), option);
  });
  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-picker-remove]");
    if (!remove) return;
    var p = pickerParts(remove);
    remove.closest("li").remove();
    p.input.focus();
  });
  document.addEventListener("focusout", function (event) {
    if (!event.target.matches || !event.target.matches("[data-picker-input]")) return;
    var p = pickerParts(event.target);
    if (p.box.contains(event.relatedTarget)) return;
    pickerOpen(p, false);
    if (!p.multiple) p.input.value = p.input.getAttribute("data-picker-chosen") || "";
    else p.input.value = "";
  });

  window.addEventListener("load", function () { drawCharts(document); });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.target); });
})();

// Alert pages, progressively enhanced (everything works without this file):
// the approval confirmation opens in a <dialog> instead of its own page, the headline
// shows how many characters are left, and the alert page refreshes its delivery figures.
(function () {
  "use strict";

  function dialogs() {
    document.querySelectorAll("a[data-dialog]").forEach(function (link) {
      var dialog = document.getElementById(link.getAttribute("data-dialog"));
      if (!dialog || typeof dialog.showModal !== "function") return;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.showModal();
        var box = dialog.querySelector("input[type=checkbox]");
        if (box) box.focus();
      });
      dialog.querySelectorAll("[data-close]").forEach(function (button) {
        button.addEventListener("click", function () { dialog.close(); link.focus(); });
      });
    });
  }

  function counters() {
    document.querySelectorAll("[data-count-for]").forEach(function (out) {
      var input = document.getElementById(out.getAttribute("data-count-for"));
      var limit = parseInt(out.getAttribute("data-limit"), 10);
      if (!input) return;
      function show() { out.textContent = input.value.length + " of " + limit + " used."; }
      input.addEventListener("input", show);
      show();
    });
  }

  function fillList(id, names, empty) {
    var list = document.getElementById(id);
    if (!list) return;
    var items = names.length ? names : [empty];
    var current = Array.prototype.map.call(list.children, function (li) { return li.textContent; });
    if (current.join("\n") === items.join("\n")) return;
    list.replaceChildren.apply(list, items.map(function (name) {
      var li = document.createElement("li");
      li.textContent = name;
      if (!names.length) li.className = "muted";
      return li;
    }));
  }

  function setText(el, text) {
    if (el && el.textContent !== String(text)) el.textContent = text;
  }

  function show(data) {
    var state = document.getElementById("alert-state");
    setText(state, data.state_label);
    if (state) state.dataset.state = data.state;
    setText(document.getElementById("progress-summary"), data.summary);
    setText(document.getElementById("ack-summary"), data.acknowledgements.summary);
    Object.keys(data.channels).forEach(function (channel) {
      var f = data.channels[channel];
      Object.keys(f).forEach(function (key) {
        setText(document.querySelector('[data-figure="' + channel + "." + key + '"]'), f[key]);
      });
      var bar = document.querySelector('[data-bar="' + channel + '"]');
      if (bar) {
        bar.max = f.total || 1;
        bar.value = f.sent + f.failed;
        bar.setAttribute("aria-label", channel + ": " + (f.sent + f.failed) + " of " + f.total + " done");
      }
    });
    fillList("acked-districts", data.districts.acknowledged, "None yet");
    fillList("waiting-districts", data.districts.waiting, "None");
    setText(document.getElementById("progress-updated"), "Updated " + new Date().toLocaleTimeString());
  }

  function poll() {
    var section = document.getElementById("progress");
    if (!section || section.getAttribute("data-live") !== "true") return;
    var url = section.getAttribute("data-progress-url");
    var every = parseInt(section.getAttribute("data-poll-ms"), 10) || 2500;
    var failures = 0;
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok || (response.headers.get("content-type") || "").indexOf("json") < 0) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(data);
          if (data.live) window.setTimeout(tick, every);
        })
        .catch(function () {
          failures += 1;
          if (failures < 5) {
            window.setTimeout(tick, every * 2);
          } else {
            setText(document.getElementById("progress-updated"), "Live updates stopped: use Refresh.");
          }
        });
    }
    window.setTimeout(tick, every);
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  function start() { focusErrors(); dialogs(); counters(); poll(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

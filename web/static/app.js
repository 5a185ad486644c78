// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // Copy buttons for suggested rewrites; without clipboard access (plain http on
  // another host) the suggestion is selected so Ctrl+C still works.
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (button) {
      var text = button.getAttribute("data-copy") || "";
      var target = button.parentNode.querySelector(".suggestion");
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      var fallback = function () { if (target) { selectText(target); } button.textContent = "Selected: press Ctrl+C"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
      return;
    }
    if (event.target.closest("button.print")) { window.print(); }
  });

  // Buttons that need this script stay hidden without it.
  Array.prototype.forEach.call(document.querySelectorAll("button.print"), function (b) { b.hidden = false; });

  // Live feedback while typing (debounced): asks the server for the report fragment.
  var form = document.getElementById("check-form");
  var box = document.getElementById("text");
  var report = document.getElementById("report");
  var live = document.getElementById("live");
  var toggle = document.getElementById("live-toggle");
  var status = document.getElementById("live-status");
  if (!form || !box || !report) { return; }
  if (toggle) { toggle.hidden = false; }
  var timer = null;
  var inflight = null;
  var lastSent = null;

  function refresh() {
    if (live && !live.checked) { return; }
    var value = box.value;
    if (!value.trim() || value === lastSent) { return; }
    if (inflight) { inflight.abort(); }
    inflight = new AbortController();
    lastSent = value;
    var body = new URLSearchParams();
    body.set("text", value);
    report.setAttribute("aria-busy", "true");
    fetch("/fragments/report", { method: "POST", body: body, signal: inflight.signal })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        report.removeAttribute("aria-busy");
        if (html === null) { return; }
        report.innerHTML = html;
        var score = report.querySelector("#score");
        if (status) {
          status.textContent = score ? "Report updated: score " + score.getAttribute("data-score") + " of 100."
                                     : "Report updated.";
        }
      })
      .catch(function () { report.removeAttribute("aria-busy"); /* offline or aborted: Check still works */ });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();

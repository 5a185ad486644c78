// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  // Copy buttons for suggested rewrites.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (button) {
      var text = button.getAttribute("data-copy") || "";
      var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { button.textContent = "Select and copy"; });
      }
      return;
    }
    if (event.target.closest("button.print")) { window.print(); }
  });

  // Live feedback while typing (debounced): asks the server for the report fragment.
  var form = document.getElementById("check-form");
  var box = document.getElementById("text");
  var report = document.getElementById("report");
  var live = document.getElementById("live");
  if (!form || !box || !report) { return; }
  var timer = null;
  var inflight = null;
  function refresh() {
    if (live && !live.checked) { return; }
    if (!box.value.trim()) { return; }
    if (inflight) { inflight.abort(); }
    inflight = new AbortController();
    var body = new URLSearchParams();
    body.set("text", box.value);
    fetch("/fragments/report", { method: "POST", body: body, signal: inflight.signal })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { report.innerHTML = html; } })
      .catch(function () { /* offline or aborted: the Check button still works */ });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();

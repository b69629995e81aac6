// The idle timeout without surprises: a warning two minutes before the session ends, with a "continue"
// that notes activity; and the form a user sent after the timeout, filled in again after the login.
(function () {
  "use strict";
  var warning = document.getElementById("idle-warning");
  if (warning) {
    var idle = parseInt(warning.dataset.idleSeconds, 10) || 1800;
    var lead = Math.min(120, Math.floor(idle / 2));
    var timer = null;
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      warning.classList.add("d-none");
      timer = window.setTimeout(function () { warning.classList.remove("d-none"); }, (idle - lead) * 1000);
    };
    document.getElementById("idle-continue").addEventListener("click", function () {
      fetch(warning.dataset.keepAlive, { credentials: "same-origin" }).then(function (response) {
        if (response.ok) { arm(); } else { window.location.reload(); }
      });
    });
    // A request the page makes (htmx) is activity too, unless it only follows a running job.
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var headers = (event.detail && event.detail.requestConfig && event.detail.requestConfig.headers) || {};
      if (!headers["X-Redengine-Poll"]) { arm(); }
    });
    arm();
  }
  var kept = document.getElementById("kept-form");
  if (kept) {
    var data = JSON.parse(kept.textContent);
    var form = document.querySelector("main form[method=post]");
    if (form) {
      Object.keys(data).forEach(function (name) {
        var values = data[name];
        var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
        fields.forEach(function (field) {
          if (field.type === "file" || field.type === "password" || field.type === "hidden") { return; }
          if (field.tagName === "SELECT") {
            Array.prototype.forEach.call(field.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
          } else if (field.type === "checkbox" || field.type === "radio") {
            field.checked = values.indexOf(field.value) >= 0;
          } else {
            field.value = values[0];
          }
        });
      });
      var notice = document.getElementById("kept-notice");
      if (notice) { notice.classList.remove("d-none"); }
    }
  }
})();

// The quick entry of a meeting: "all present" ticks every member present; a reason field shows only for a
// member absent with leave. Without script every field is shown and the form works the same.
(function () {
  function update(row) {
    var leave = row.querySelector('input[type=radio][value=leave]');
    var reason = row.querySelector('.leave-reason');
    if (leave && reason) reason.hidden = !leave.checked && !reason.value;
  }
  function bind(root) {
    var rows = root.querySelectorAll('.attendance-row');
    rows.forEach(function (row) {
      update(row);
      row.querySelectorAll('input[type=radio]').forEach(function (radio) {
        radio.addEventListener('change', function () { update(row); });
      });
    });
    var all = root.querySelector('#all-present');
    if (all && rows.length) {
      all.hidden = false;
      all.addEventListener('click', function () {
        rows.forEach(function (row) {
          var present = row.querySelector('input[type=radio][value=present]');
          if (present) present.checked = true;
          update(row);
        });
      });
    }
  }
  document.addEventListener('DOMContentLoaded', function () { bind(document); });
  document.addEventListener('htmx:load', function (event) { if (event.detail.elt.querySelector) bind(event.detail.elt); });
})();

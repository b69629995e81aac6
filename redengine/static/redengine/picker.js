// Pickers (redengine/core/pickers.py): a code box that suggests records by name or code, and a multiple
// choice shown as removable chips. The suggestions come from the app's endpoint through htmx; without this
// script the code box is a plain text box and the chips are the chosen options of a multiple select.
(function () {
  "use strict";
  var count = 0;

  function setup(box) {
    var many = box.dataset.picker === "many";
    var list = box.querySelector(".picker-list");
    var select = many ? box.querySelector("select") : null;
    var input = many ? box.querySelector(".picker-search") : box.querySelector("input");
    var chosen = box.querySelector(".picker-chosen");
    var chips = box.querySelector(".picker-chips");
    var base = (select || input).id || "picker-" + (++count);
    var active = -1;
    var timer = null;
    list.id = base + "-listbox";
    if (many) {
      input.id = base + "-search";
      var label = document.querySelector('label[for="' + base + '"]');
      if (label) { label.htmlFor = input.id; }
      ["aria-invalid", "aria-describedby"].forEach(function (name) {
        if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
      });
      if (select.classList.contains("is-invalid")) { input.classList.add("is-invalid"); }
      select.classList.add("d-none");
      select.tabIndex = -1;
      select.setAttribute("aria-hidden", "true");
      select.removeAttribute("required"); // a hidden field cannot say what it misses: the form's check does
      input.classList.remove("d-none");
      chips.classList.remove("d-none");
      Array.prototype.forEach.call(select.options, function (option) { addChip(option); });
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("hx-sync", "this:replace"); // a newer search cancels the one still running

    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role=option]:not([aria-disabled])')); }
    function open() { list.classList.remove("d-none"); input.setAttribute("aria-expanded", "true"); }
    function close() {
      list.classList.add("d-none");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        option.classList.toggle("active", i === active);
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function ask(text, quiet) {
      return htmx.ajax("GET", box.dataset.pickerUrl, {
        source: input, target: list, swap: "innerHTML", values: { q: text },
      }).then(function () {
        options().forEach(function (option, i) { option.id = list.id + "-" + i; });
        active = -1;
        if (!quiet && document.activeElement === input && list.children.length) { open(); } else if (!quiet) { close(); }
      });
    }
    function choose(option) {
      if (many) {
        var present = Array.prototype.some.call(select.options, function (o) { return o.value === option.dataset.pk; });
        if (!present) {
          var added = new Option(option.dataset.label, option.dataset.pk, true, true);
          select.add(added);
          addChip(added);
        }
        input.value = "";
      } else {
        input.value = option.dataset.code;
        chosen.textContent = option.dataset.label;
      }
      close();
      input.focus();
    }
    function addChip(option) {
      var chip = document.createElement("li");
      chip.className = "list-inline-item badge text-bg-light border fw-normal fs-6 me-1 mb-1 picker-chip";
      chip.appendChild(document.createTextNode(option.text + " "));
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close btn-close-sm align-middle";
      remove.setAttribute("aria-label", (box.dataset.removeLabel || "×") + " " + option.text);
      remove.addEventListener("click", function () {
        option.remove();
        chip.remove();
        input.focus();
      });
      chip.appendChild(remove);
      chips.appendChild(chip);
    }

    input.addEventListener("input", function () {
      if (chosen) { chosen.textContent = ""; }
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (!text) { list.innerHTML = ""; close(); return; }
      timer = window.setTimeout(function () { ask(text); }, 200);
    });
    input.addEventListener("keydown", function (event) {
      var shown = input.getAttribute("aria-expanded") === "true";
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!shown) {
          if (input.value.trim()) { ask(input.value.trim()).then(function () { highlight(0); }); }
          return;
        }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (shown && active >= 0) {
          event.preventDefault();
          choose(options()[active]);
        } else if (many) {
          event.preventDefault(); // Enter in the search adds a chip; it never sends the form half done
        }
      } else if (event.key === "Escape" && shown) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keeps the focus
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]:not([aria-disabled])");
      if (option) { choose(option); }
    });
    if (!many && input.value.trim()) {
      // The chosen record's name under the code (a bookmarked address carries the code only).
      var code = input.value.trim();
      ask(code, true).then(function () {
        var match = options().filter(function (o) { return o.dataset.code === code; })[0];
        if (match && input.value.trim() === code) { chosen.textContent = match.dataset.label; }
        list.innerHTML = "";
      });
    }
  }

  function setupAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-picker]:not([data-picker-ready])"), function (box) {
      box.setAttribute("data-picker-ready", "");
      setup(box);
    });
  }
  setupAll(document);
  document.body.addEventListener("htmx:load", function (event) { setupAll(event.target); });
})();

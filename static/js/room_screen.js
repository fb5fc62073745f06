// The room screen stays current on its tablet: it reloads every two minutes, unless someone is typing a name
// or has a form open (their entry would be lost). No meta refresh: a page that reloads under a reader's
// fingers is an accessibility failure (WCAG 2.2.1); this one waits for them.
(function () {
  "use strict";
  var EVERY_MS = 120000;
  function busy() {
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")) { return true; }
    var typed = Array.prototype.some.call(document.querySelectorAll("main input[type=text], main input:not([type])"),
      function (input) { return input.value !== ""; });
    return typed || document.querySelector("main details[open]") !== null;
  }
  window.setInterval(function () { if (!busy()) { window.location.reload(); } }, EVERY_MS);
}());

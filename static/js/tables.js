// Wide tables scroll inside themselves on narrow screens (portal.css) instead of making the
// page scroll sideways. A region that scrolls must be reachable by keyboard (WCAG 2.1.1, axe's
// scrollable-region-focusable): each table that overflows becomes focusable while it does, and
// is named after its caption or the heading above it.
(function () {
  "use strict";

  function nameOf(table) {
    var caption = table.querySelector("caption");
    if (caption) return null; // a caption names the table already
    var el = table.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) el = el.previousElementSibling;
    var heading = el || document.querySelector("main h1");
    return heading ? heading.textContent.trim() : "Table";
  }

  function mark() {
    document.querySelectorAll("main table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.dataset.scrollRegion = "";
        var name = nameOf(table);
        if (name && !table.hasAttribute("aria-label") && !table.hasAttribute("aria-labelledby")) {
          table.setAttribute("aria-label", name);
        }
      } else if (!scrolls && "scrollRegion" in table.dataset) {
        table.removeAttribute("tabindex");
        delete table.dataset.scrollRegion;
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 100);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();

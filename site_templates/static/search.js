/* Starts Pagefind's search box: the site's only script, loaded by the search page alone.
   The index comes in shards (data-bundles, newest first): the first is opened, the others
   merged into it. Links in results start from the site's own folder, so the site works at any
   base path. Pagefind's field has only a placeholder and a title; a visible label is added. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") {
    return;
  }
  var base = new URL(box.getAttribute("data-base") || "./", window.location.href).pathname;
  var bundles = box.getAttribute("data-bundles").split(" ").map(function (b) {
    return base + b + "/";
  });
  new PagefindUI({
    element: "#search",
    baseUrl: base,
    bundlePath: bundles[0],
    mergeIndex: bundles.slice(1).map(function (b) {
      return { bundlePath: b };
    }),
    showImages: false,
    showSubResults: false,
    translations: { placeholder: "Words to look for" }
  });
  var input = box.querySelector("input");
  if (input) {
    input.id = "search-input";
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "search-label";
    label.textContent = "Search the stories";
    box.insertBefore(label, box.firstChild);
  }
})();

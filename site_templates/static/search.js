/* Starts Pagefind's search box: the site's only script, loaded by the search page alone.
   Links in results start from the site's own folder, so the site works at any base path. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") {
    return;
  }
  var base = new URL(box.getAttribute("data-base") || "./", window.location.href).pathname;
  new PagefindUI({
    element: "#search",
    baseUrl: base,
    bundlePath: base + "pagefind/",
    showImages: false,
    showSubResults: false,
    translations: { placeholder: "Search the stories" }
  });
})();

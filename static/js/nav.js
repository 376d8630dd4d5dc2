// The menu button on small screens (issue 21 item 12): without JavaScript the menu is simply
// shown; with it, a phone gets one "Menu" button instead of three or four rows of links.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var list = document.getElementById("main-nav-list");
  if (!button || !list) return;
  document.documentElement.classList.add("has-menu-toggle");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    list.classList.toggle("open", !open);
  });
})();

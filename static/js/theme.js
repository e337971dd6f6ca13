// The reader's light/dark choice, applied before the page is drawn (no flash).
// Without a stored choice (or without JavaScript) the system setting decides.
(function () {
  "use strict";
  try {
    var theme = window.localStorage.getItem("theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (error) {
    // Storage refused (private mode): the system setting decides.
  }
})();

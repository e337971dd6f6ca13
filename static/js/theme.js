// The reader's light/dark choice, applied before the page is drawn (no flash).
// Without a stored choice (or without JavaScript) the system setting decides.
(function () {
  "use strict";
  // Scripts run: the theme switch will work, so the header keeps its place from the
  // first paint on (site.css), and nothing shifts when site.js wires it up.
  document.documentElement.setAttribute("data-scripts", "");
  try {
    var theme = window.localStorage.getItem("theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (error) {
    // Storage refused (private mode): the system setting decides.
  }
})();

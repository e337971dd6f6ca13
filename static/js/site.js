// Enhancements for every page. Each one is optional: without this script every page
// works, except the reading list, which explains why.
(function () {
  "use strict";

  var root = document.documentElement;

  // --- Storage: the theme and the reading list live in localStorage (no cookie). ---
  function load(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value === null ? fallback : JSON.parse(value);
    } catch (error) {
      return fallback;
    }
  }
  function store(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (error) {
      return false;
    }
  }

  // --- Light and dark: the system decides until the reader picks one. ---
  var toggle = document.querySelector("[data-theme-toggle]");
  function effectiveTheme() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  // The button's label is written by the server, in the interface's language.
  var darkLabel = toggle ? toggle.textContent : "";
  function showTheme() {
    var dark = effectiveTheme() === "dark";
    toggle.setAttribute("aria-pressed", dark ? "true" : "false");
    toggle.textContent = darkLabel;
  }
  if (toggle) {
    toggle.hidden = false;
    showTheme();
    toggle.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try {
        window.localStorage.setItem("theme", next);
      } catch (error) {
        // Not remembered, but applied for this page.
      }
      showTheme();
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", showTheme);
  }

  // --- Reading list: { saved: [slugs], read: [slugs] } in localStorage. ---
  var LIST_KEY = "reading-list";
  function readingList() {
    var list = load(LIST_KEY, {});
    return {
      saved: Array.isArray(list.saved) ? list.saved : [],
      read: Array.isArray(list.read) ? list.read : [],
    };
  }
  function setMark(kind, slug, on) {
    var list = readingList();
    var slugs = list[kind].filter(function (other) { return other !== slug; });
    if (on) slugs.unshift(slug);
    list[kind] = slugs;
    if (kind === "read" && on) {
      list.saved = list.saved.filter(function (other) { return other !== slug; });
    }
    store(LIST_KEY, list);
    showMarks();
  }
  function showMarks() {
    var list = readingList();
    document.querySelectorAll("[data-reading-actions]").forEach(function (actions) {
      var slug = actions.getAttribute("data-slug");
      actions.hidden = false;
      actions.querySelectorAll("[data-action]").forEach(function (button) {
        var kind = button.getAttribute("data-action");
        button.setAttribute("aria-pressed", list[kind].indexOf(slug) >= 0 ? "true" : "false");
      });
    });
    document.querySelectorAll("[data-slug]").forEach(function (item) {
      var mark = item.querySelector(".read-mark");
      if (mark) mark.hidden = list.read.indexOf(item.getAttribute("data-slug")) < 0;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reading-actions] [data-action]");
    if (!button) return;
    var slug = button.closest("[data-reading-actions]").getAttribute("data-slug");
    var on = button.getAttribute("aria-pressed") !== "true";
    setMark(button.getAttribute("data-action"), slug, on);
  });
  window.addEventListener("storage", function (event) {
    if (event.key === LIST_KEY) showMarks();
  });
  window.readingList = { get: readingList, set: setMark, refresh: showMarks };
  showMarks();

  // --- The summary page: contents that follow the reader, copy links, progress. ---
  var contents = document.querySelector("[data-contents]");
  if (contents) {
    var details = contents.querySelector("details");
    var current = contents.querySelector(".toc-current");
    var wide = window.matchMedia("(min-width: 70rem)");
    function arrange() {
      contents.classList.toggle("is-bar", !wide.matches);
      details.open = wide.matches;
    }
    arrange();
    wide.addEventListener("change", arrange);
    contents.addEventListener("click", function (event) {
      if (event.target.closest("a") && !wide.matches) details.open = false;
    });

    var links = Array.prototype.slice.call(contents.querySelectorAll("a[href^='#']"));
    var targets = links
      .map(function (link) {
        return { link: link, target: document.getElementById(link.getAttribute("href").slice(1)) };
      })
      .filter(function (entry) { return entry.target; });
    var active = null;
    function highlight() {
      // The section being read: the last one whose top has reached the top of the screen
      // (below the sticky bar); at the very end of the page, the last one in view.
      var line = Math.min(window.innerHeight * 0.25, 110);
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      if (atEnd) line = window.innerHeight - 40;
      var best = null;
      targets.forEach(function (entry) {
        if (entry.target.getBoundingClientRect().top <= line) best = entry;
      });
      best = best || targets[0];
      if (!best || best === active) return;
      if (active) active.link.removeAttribute("aria-current");
      best.link.setAttribute("aria-current", "location");
      active = best;
      if (current) current.textContent = "· " + best.link.textContent.trim();
      if (wide.matches) {
        var box = contents.getBoundingClientRect();
        var place = best.link.getBoundingClientRect();
        if (place.top < box.top || place.bottom > box.bottom) {
          contents.scrollTop += place.top - box.top - box.height / 3;
        }
      }
    }
    var ticking = false;
    window.addEventListener("scroll", function () {
      if (ticking) return;
      ticking = true;
      window.requestAnimationFrame(function () {
        ticking = false;
        highlight();
        progress();
      });
    }, { passive: true });
    highlight();

    // The buttons' words, in the interface's language, from the summary's data-label-* attributes.
    var labels = (document.querySelector(".summary") || document.body).dataset;
    var copyLink = labels.labelCopyLink || "Copy link";
    var linkCopied = labels.labelLinkCopied || "Link copied";
    var copyLinkTo = labels.labelCopyLinkTo || "to “{title}”";
    document.querySelectorAll(".chapter h4").forEach(function (heading) {
      var chapter = heading.closest(".chapter");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-link";
      var label = document.createElement("span");
      label.textContent = copyLink;
      var which = document.createElement("span");
      which.className = "visually-hidden";
      which.textContent = " " + copyLinkTo.replace("{title}", heading.textContent.trim());
      button.appendChild(label);
      button.appendChild(which);
      button.addEventListener("click", function () {
        var url = window.location.href.split("#")[0] + "#" + chapter.id;
        var done = function () {
          label.textContent = linkCopied;
          window.setTimeout(function () { label.textContent = copyLink; }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(done, function () {
            window.location.hash = chapter.id;
          });
        } else {
          window.location.hash = chapter.id;
        }
      });
      heading.appendChild(button);
    });
  }

  // The reading-progress bar: CSS draws it where scroll timelines exist; elsewhere, here.
  var bar = document.querySelector(".reading-progress");
  var cssProgress = window.CSS && CSS.supports && CSS.supports("animation-timeline: scroll()");
  function progress() {
    if (!bar || cssProgress) return;
    var height = document.documentElement.scrollHeight - window.innerHeight;
    bar.style.setProperty("--progress", height > 0 ? String(window.scrollY / height) : "0");
  }
  if (bar && !cssProgress && !contents) {
    window.addEventListener("scroll", progress, { passive: true });
  }
  progress();
})();

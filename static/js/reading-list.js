// /reading-list/: draws the reader's saved and read summaries from localStorage,
// with their public card data from /reading-list/cards/?slug=… (site.js keeps the list).
(function () {
  "use strict";

  var page = document.querySelector("[data-reading-list]");
  if (!page || !window.fetch) return;
  // The cards' words, in the interface's language, from the page's data-label-* attributes.
  var labels = page.dataset;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function card(data) {
    var article = element("article", "card");
    article.setAttribute("data-slug", data.slug);
    var cover = element("div", "card-cover");
    if (data.cover) {
      var image = element("img", "cover-art");
      image.src = data.cover;
      image.alt = "";
      image.width = 200;
      image.height = 300;
      cover.appendChild(image);
    } else {
      // Markup made by the server (books/covers.py), every text in it escaped there.
      cover.innerHTML = data.cover_svg;
    }
    article.appendChild(cover);
    var body = element("div", "card-body");
    var title = element("h3", "card-title");
    var link = element("a", "", data.title);
    link.href = data.url;
    title.appendChild(link);
    body.appendChild(title);
    if (data.authors.length) body.appendChild(element("p", "byline", data.authors.join(", ")));
    var meta = element("p", "card-meta");
    if (data.reading_time) meta.appendChild(element("span", "reading-time", data.reading_time));
    var mark = element("span", "read-mark", labels.labelRead || "Read");
    mark.hidden = true;
    meta.appendChild(mark);
    body.appendChild(meta);
    if (data.lede) body.appendChild(element("p", "card-lede", data.lede));
    var actions = element("div", "reading-actions");
    actions.setAttribute("data-reading-actions", "");
    actions.setAttribute("data-slug", data.slug);
    [["saved", labels.labelSave || "Save for later"], ["read", labels.labelMarkRead || "Mark as read"]].forEach(function (pair) {
      var button = element("button", "reading-action", pair[1]);
      button.type = "button";
      button.setAttribute("data-action", pair[0]);
      button.setAttribute("aria-pressed", "false");
      var hidden = element("span", "visually-hidden", ": " + data.title);
      button.appendChild(hidden);
      actions.appendChild(button);
    });
    body.appendChild(actions);
    article.appendChild(body);
    return article;
  }

  var cache = {};
  page.querySelector("[data-needs-script]").hidden = true;
  page.querySelectorAll("[data-lists]").forEach(function (section) { section.hidden = false; });

  function draw() {
    var list = window.readingList ? window.readingList.get() : { saved: [], read: [] };
    var wanted = list.saved.concat(list.read).filter(function (slug) { return !(slug in cache); });
    var ready = wanted.length
      ? fetch(page.getAttribute("data-cards-url") + "?" + wanted.map(function (slug) {
          return "slug=" + encodeURIComponent(slug);
        }).join("&"), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { cards: [] }; })
          .then(function (data) {
            wanted.forEach(function (slug) { cache[slug] = null; });
            data.cards.forEach(function (data) { cache[data.slug] = data; });
          })
      : Promise.resolve();
    ready.then(function () {
      ["saved", "read"].forEach(function (kind) {
        var holder = page.querySelector("[data-list='" + kind + "']");
        var cards = list[kind].map(function (slug) { return cache[slug]; }).filter(Boolean);
        if (!cards.length) {
          holder.querySelector(".empty") || holder.appendChild(element("p", "empty"));
          holder.querySelectorAll(".cards").forEach(function (node) { node.remove(); });
          holder.querySelector(".empty").hidden = false;
          return;
        }
        var grid = element("div", "cards");
        cards.forEach(function (data) { grid.appendChild(card(data)); });
        holder.querySelectorAll(".cards").forEach(function (node) { node.remove(); });
        holder.querySelector(".empty").hidden = true;
        holder.appendChild(grid);
      });
      if (window.readingList) window.readingList.refresh();
    });
  }

  // A click on "Save" or "Read" here (handled by site.js) moves the card: draw again after it.
  page.addEventListener("click", function (event) {
    if (event.target.closest("[data-action]")) window.setTimeout(draw, 0);
  });
  window.addEventListener("storage", draw);
  // site.js (deferred after this script) provides window.readingList by then.
  document.addEventListener("DOMContentLoaded", draw);
})();

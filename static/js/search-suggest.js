// Suggestions for the search box: titles, authors and tags as the reader types.
// An enhancement only: without this script the box is a plain GET form.
(function () {
  "use strict";

  var input = document.getElementById("site-search");
  if (!input || !window.fetch || !input.dataset.suggestUrl) return;

  var form = input.form;
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.labelSuggestions || "Suggestions");
  list.hidden = true;
  form.appendChild(list);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  // Each suggestion leads to its own page; the last row searches for what was typed.
  // Their labels come in the interface's language from the search box's data-label-* attributes.
  var kinds = {
    title: input.dataset.labelTitle || "Summary",
    author: input.dataset.labelAuthor || "Author",
    tag: input.dataset.labelTag || "Tag",
    search: "",
  };
  var timer = null;
  var active = -1;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = list.querySelectorAll("[role=option]");
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0 && items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(suggestions) {
    list.textContent = "";
    active = -1;
    if (!suggestions.length) {
      close();
      return;
    }
    suggestions.forEach(function (suggestion, index) {
      var item = document.createElement("li");
      item.id = "site-search-suggestion-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = suggestion.url;
      link.tabIndex = -1;
      var label = kinds.hasOwnProperty(suggestion.kind) ? kinds[suggestion.kind] : suggestion.kind;
      if (label) {
        var kind = document.createElement("span");
        kind.className = "suggestion-kind";
        kind.textContent = label;
        link.appendChild(kind);
        link.appendChild(document.createTextNode(" "));
      }
      link.appendChild(document.createTextNode(suggestion.label));
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var text = input.value.trim();
    if (text.length < 2) {
      close();
      return;
    }
    var ticket = ++latest;
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        if (ticket === latest) show(data.suggestions || []);
      })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });

  input.addEventListener("keydown", function (event) {
    var items = list.querySelectorAll("[role=option]");
    if (list.hidden || !items.length) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].querySelector("a").href;
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
})();

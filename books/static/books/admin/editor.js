// The summary's change page: unsaved work kept in this browser, a warning before leaving it,
// who else is editing, collapsible groups with a contents bar, scheduling, and alt text for
// uploaded images. Nothing goes to the server until the editor saves (the heartbeat only
// says "I have this page open").
// The words it shows, in the editor's language: from the admin page (templates/admin/base_site.html).
function label(name, fallback) {
  "use strict";
  var labels = document.getElementById("editor-labels");
  return (labels && labels.dataset[name]) || fallback;
}

document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  var form = document.getElementById("book_form");
  if (!form) {
    return;
  }
  var STORE_KEY = "summary-autosave:" + window.location.pathname;
  var versionInput = form.querySelector('input[name="loaded_version"]');
  var pageVersion = versionInput && versionInput.value ? parseInt(versionInput.value, 10) : 0;
  var pageHasErrors = !!document.querySelector(".errornote");
  var dirty = false;
  var saveTimer = null;

  // --- Reading and writing the form's fields ---------------------------------------------

  function fieldElements() {
    return Array.prototype.filter.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken" || name === "loaded_version") {
        return false;
      }
      if (name.indexOf("__prefix__") !== -1 || name.indexOf("-empty-") !== -1) {
        return false;
      }
      var type = (element.type || "").toLowerCase();
      return ["submit", "button", "file", "image", "reset"].indexOf(type) === -1;
    });
  }

  function snapshot() {
    var fields = {};
    fieldElements().forEach(function (element) {
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox") {
        fields[element.name] = element.checked;
      } else if (type === "radio") {
        if (element.checked) {
          fields[element.name] = element.value;
        }
      } else if (type === "select-multiple") {
        fields[element.name] = Array.prototype.map.call(element.selectedOptions, function (o) {
          return o.value;
        });
      } else {
        fields[element.name] = element.value;
      }
    });
    return fields;
  }

  function sameValue(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function differences(stored) {
    var current = snapshot();
    return Object.keys(stored).filter(function (name) {
      return !sameValue(stored[name], current[name]);
    });
  }

  function readStore() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeStore(extra) {
    var record = { saved: Date.now(), version: pageVersion, fields: snapshot(), submitted: false };
    Object.keys(extra || {}).forEach(function (key) {
      record[key] = extra[key];
    });
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(record));
    } catch (error) {
      // Storage full or disabled: the beforeunload warning still protects the work.
    }
  }

  function clearStore() {
    try {
      window.localStorage.removeItem(STORE_KEY);
    } catch (error) {
      // nothing to clear
    }
  }

  // --- Adding inline rows so that restored rows have somewhere to go ---------------------

  function addRows(prefix, count) {
    var group = document.getElementById(prefix + "-group");
    if (!group) {
      return;
    }
    var handlers = group.querySelectorAll(".djn-add-handler, .add-row a");
    var handler = null;
    Array.prototype.forEach.call(handlers, function (candidate) {
      if (!handler && candidate.closest(".djn-group, .inline-group") === group) {
        handler = candidate;
      }
    });
    for (var i = 0; i < count && handler; i++) {
      handler.click();
    }
  }

  function restore(stored) {
    var totals = Object.keys(stored.fields)
      .filter(function (name) {
        return /-TOTAL_FORMS$/.test(name);
      })
      .sort(function (a, b) {
        return a.split("-").length - b.split("-").length;
      });
    totals.forEach(function (name) {
      var input = form.elements[name];
      var prefix = name.replace(/-TOTAL_FORMS$/, "");
      var missing = parseInt(stored.fields[name], 10) - (input ? parseInt(input.value, 10) : 0);
      if (missing > 0) {
        addRows(prefix, missing);
      }
    });
    fieldElements().forEach(function (element) {
      if (!(element.name in stored.fields) || /-(TOTAL|INITIAL)_FORMS$/.test(element.name)) {
        return;
      }
      var value = stored.fields[element.name];
      var type = (element.type || "").toLowerCase();
      var before = type === "checkbox" || type === "radio" ? element.checked : element.value;
      if (type === "checkbox") {
        element.checked = !!value;
      } else if (type === "radio") {
        element.checked = element.value === value;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = value.indexOf(option.value) !== -1;
        });
      } else if (element.value !== value) {
        if (
          element.tagName === "SELECT" &&
          !element.querySelector('option[value="' + CSS.escape(value) + '"]')
        ) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value;
          element.appendChild(option);
        }
        element.value = value;
      }
      var after = type === "checkbox" || type === "radio" ? element.checked : element.value;
      if (before !== after || type === "select-multiple") {
        // Only what changed: each Markdown editor asks the server for a new preview.
        element.dispatchEvent(new Event("input", { bubbles: true }));
        element.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    dirty = true;
  }

  function offerRestore() {
    var stored = readStore();
    if (!stored || !stored.fields) {
      return;
    }
    if (stored.submitted && (pageVersion > stored.version || !pageHasErrors)) {
      clearStore(); // the save went through
      return;
    }
    if (!differences(stored.fields).length) {
      return;
    }
    var notice = document.getElementById("autosave-notice");
    if (!notice) {
      return;
    }
    var when = new Date(stored.saved);
    var time = notice.querySelector("time");
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleString();
    if (stored.version && pageVersion > stored.version) {
      notice.querySelector(".autosave-text").textContent +=
        " The summary has been saved by someone since: check their changes after restoring.";
    }
    notice.hidden = false;
    notice.querySelector(".autosave-restore").addEventListener("click", function () {
      restore(stored);
      notice.hidden = true;
      writeStore();
    });
    notice.querySelector(".autosave-discard").addEventListener("click", function () {
      clearStore();
      notice.hidden = true;
    });
  }

  // --- Unsaved changes ---------------------------------------------------------------------

  function changed() {
    dirty = true;
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(writeStore, 500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  document.addEventListener("formset:added", changed);
  document.addEventListener("formset:removed", changed);

  form.addEventListener("submit", function () {
    dirty = false;
    window.clearTimeout(saveTimer);
    writeStore({ submitted: true });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      writeStore();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Someone else is editing ----------------------------------------------------------------

  var notice = document.getElementById("editing-notice");
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
  if (notice && notice.dataset.url && csrf) {
    var seconds = Math.max(parseFloat(notice.dataset.seconds) || 10, 0.5);
    var beat = function () {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf.value);
      fetch(notice.dataset.url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) {
            return;
          }
          notice.querySelector(".editing-names").textContent = data.others.join(", ");
          notice.hidden = data.others.length === 0;
        })
        .catch(function () {});
    };
    window.setInterval(beat, seconds * 1000);
    window.addEventListener("pagehide", function () {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf.value);
      body.append("leave", "1");
      if (navigator.sendBeacon) {
        navigator.sendBeacon(notice.dataset.url, body);
      }
    });
  }

  // --- Collapsible groups and the contents bar -------------------------------------------------

  function slug(text) {
    return "section-" + text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  }

  function buildContents() {
    var bar = document.getElementById("contents-bar");
    if (!bar) {
      return;
    }
    var list = bar.querySelector("ul");
    var blocks = [];
    var checklist = document.getElementById("checklist");
    if (checklist) {
      blocks.push({ element: checklist, title: label("checklist", "Checklist") });
    }
    form.querySelectorAll("fieldset.module > h2, fieldset.module > legend").forEach(function (heading) {
      var fieldset = heading.parentElement;
      if (fieldset.closest(".inline-group, .djn-group") || fieldset.id === "schedule-panel") {
        return;
      }
      blocks.push({ element: fieldset, title: heading.textContent.trim() });
    });
    form.querySelectorAll(".djn-group-root, .inline-group").forEach(function (group) {
      if (group.parentElement.closest(".djn-group, .inline-group")) {
        return;
      }
      var heading = group.querySelector("h2");
      if (!heading) {
        return;
      }
      var title = heading.textContent.trim();
      blocks.push({ element: group, title: title });
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "group-toggle";
      toggle.textContent = label("collapse", "Collapse");
      toggle.setAttribute("aria-expanded", "true");
      toggle.addEventListener("click", function () {
        var collapsed = group.classList.toggle("group-collapsed");
        toggle.textContent = collapsed ? label("expand", "Expand") : label("collapse", "Collapse");
        toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
      });
      heading.appendChild(toggle);
    });
    var shareLinks = document.getElementById("share-links");
    if (shareLinks) {
      blocks.push({ element: shareLinks, title: label("shareLinks", "Share links") });
    }
    blocks.forEach(function (block) {
      if (!block.element.id) {
        block.element.id = slug(block.title);
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + block.element.id;
      link.textContent = block.title;
      link.addEventListener("click", function () {
        block.element.classList.remove("group-collapsed");
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    bar.hidden = blocks.length === 0;
  }

  // --- Scheduling -------------------------------------------------------------------------------

  function setUpSchedule() {
    var panel = document.getElementById("schedule-panel");
    if (!panel) {
      return;
    }
    if (!panel.querySelector(".errorlist")) {
      panel.hidden = true;
    }
    document.querySelectorAll(".schedule-toggle").forEach(function (button) {
      button.addEventListener("click", function () {
        panel.hidden = false;
        var input = panel.querySelector("input[type=datetime-local]");
        panel.scrollIntoView({ block: "center" });
        if (input) {
          input.focus();
        }
      });
    });
  }

  // --- Alt text for uploaded images -------------------------------------------------------------

  document.addEventListener(
    "markdownx.fileUploadEnd",
    function (event) {
      var editor = event.target.querySelector && event.target.querySelector(".markdownx-editor");
      var response = event.detail && event.detail[0];
      if (!editor || !response || !response.image_code) {
        return;
      }
      var alt = window.prompt(
        label(
          "altPrompt",
          "Describe this image for readers who cannot see it (alt text). " +
            "Leave empty only for a purely decorative image."
        )
      );
      if (!alt) {
        return;
      }
      var code = response.image_code;
      var described = code.replace("![]", "![" + alt.replace(/[\[\]]/g, "") + "]");
      var at = editor.value.lastIndexOf(code);
      if (at !== -1) {
        editor.value = editor.value.slice(0, at) + described + editor.value.slice(at + code.length);
        editor.dispatchEvent(new Event("input", { bubbles: true }));
      }
    },
    true
  );

  // After the admin's own scripts have set up the inline groups (their add buttons).
  window.addEventListener("load", function () {
    buildContents();
    setUpSchedule();
    offerRestore();
  });
});

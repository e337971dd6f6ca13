// Start django-markdownx's live preview in inline rows added after the page loaded:
// markdownx.js only starts the editors present when it runs, so run it again.
(function () {
  "use strict";
  document.addEventListener("formset:added", function (event) {
    var editors = event.target.querySelectorAll(".markdownx .markdownx-editor");
    if (!editors.length) {
      return;
    }
    editors.forEach(function (editor) {
      editor.removeAttribute("data-markdownx-init");
      var preview = editor.closest(".markdownx").querySelector(".markdownx-preview");
      if (preview) {
        preview.innerHTML = "";
      }
    });
    var loaded = document.querySelector('script[src*="markdownx/js/markdownx"]');
    if (loaded) {
      var script = document.createElement("script");
      script.src = loaded.src;
      document.head.appendChild(script);
    }
  });
})();

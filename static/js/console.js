/* Progressive enhancements of the console; every page also works without JavaScript. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Forms marked js-autosubmit submit as soon as a select changes (language switcher).
  document.querySelectorAll("form.js-autosubmit select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Live preview of the payment page text: plain text only (textContent, never HTML).
  document.querySelectorAll("[data-preview]").forEach(function (field) {
    var target = document.querySelector('[data-preview-target="' + field.dataset.preview + '"]');
    if (!target) { return; }
    field.addEventListener("input", function () { target.textContent = field.value; });
  });
})();

/* Promotional codes pages: progressive enhancements only — every page works without them,
   and the server checks everything again. No inline script (CSP). */
(function () {
  "use strict";

  // Create form: show the fields that belong to the chosen options.
  var form = document.querySelector("[data-promocode-form]");
  if (form) {
    var blocks = form.querySelectorAll("[data-show-when]");
    var kinds = JSON.parse(form.dataset.kinds || "{}");
    var refresh = function () {
      blocks.forEach(function (block) {
        var rule = block.dataset.showWhen.split("=");
        var checked = form.querySelector('input[name="' + rule[0] + '"]:checked');
        block.hidden = !checked || checked.value !== rule[1];
      });
      // The value's label names what it is: "Percent off" or "Amount off" (the input holds
      // both, in the page's language); crispy's "*" after the text is kept.
      var value = form.querySelector('input[name="discount_value"]');
      var type = form.querySelector('input[name="discount_type"]:checked');
      var valueLabel = value && form.querySelector('label[for="' + value.id + '"]');
      if (valueLabel && type) {
        var wanted = value.getAttribute("data-label-" + type.value);
        var text = valueLabel.firstChild;
        if (wanted && text && text.nodeType === Node.TEXT_NODE) { text.nodeValue = wanted; }
      }
      var service = form.querySelector('input[name="service"]:checked');
      if (!service) { return; }
      // Only the kinds and sessions of the chosen service can be picked.
      var kindSelect = form.querySelector('select[name="kind"]');
      if (kindSelect) {
        Array.prototype.forEach.call(kindSelect.options, function (option) {
          var allowed = !option.value || (kinds[service.value] || []).indexOf(option.value) >= 0;
          option.hidden = !allowed;
          option.disabled = !allowed;
          if (!allowed && option.selected) { kindSelect.value = ""; }
        });
      }
      form.querySelectorAll('input[name="sessions"]').forEach(function (box) {
        var wrapper = box.closest(".form-check") || box.parentNode;
        var allowed = !box.dataset.service || box.dataset.service === service.value;
        wrapper.hidden = !allowed;
        if (!allowed) { box.checked = false; }
      });
    };
    form.addEventListener("change", refresh);
    refresh();
  }

  // Creation progress: poll the JSON endpoint until the batch is finished.
  var progress = document.querySelector("[data-batch-progress]");
  if (progress) {
    var bar = progress.querySelector("progress");
    var lang = document.documentElement.lang || undefined;  // numbers as the page's language writes them
    var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
    var number = new Intl.NumberFormat(lang);
    // Intl writes French "1 200" and "50 %" with a narrow no-break space (U+202F), the server
    // (Django's French formats) with U+00A0: one space on the page, whoever wrote the number.
    var asServer = function (text) { return text.replace(/\u202f/g, "\u00a0"); };
    var poll = function () {
      fetch(progress.dataset.batchProgress, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
        .then(function (data) {
          bar.max = data.total;
          bar.value = data.done;
          bar.textContent = asServer(percent.format(data.percent / 100));
          progress.querySelector("[data-batch-done]").textContent = asServer(number.format(data.done));
          progress.querySelector("[data-batch-state]").textContent = data.state_label;
          var error = progress.querySelector("[data-batch-error]");
          error.textContent = data.error;
          error.classList.toggle("d-none", !data.error);
          progress.querySelector("[data-batch-resumed]").classList.toggle("d-none", !data.resumed);
          var retry = progress.querySelector("[data-batch-retry]");
          if (retry) { retry.classList.toggle("d-none", data.state !== "failed"); }
          if (data.state === "done") {
            progress.querySelector("[data-batch-finished]").classList.remove("d-none");
            progress.querySelector("[data-batch-code]").textContent = data.code;
            progress.querySelector("[data-batch-single]").classList.toggle("d-none", !data.code);
          }
          if (!data.finished) { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    if (bar.value < bar.max || !progress.querySelector("[data-batch-finished]:not(.d-none)")) {
      poll();
    }
  }

  // Copy a created code to the clipboard; the button and a status line say it was copied.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.copy).textContent.trim();
      var status = document.querySelector("[data-copy-status]");
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = button.dataset.copied;
        if (status) { status.textContent = button.dataset.copied; }
      });
    });
  });

  // Report: "select the page" box, and a confirmation before deleting.
  var selectPage = document.querySelector("[data-select-page]");
  if (selectPage) {
    var rows = document.querySelectorAll("[data-select-row]");
    selectPage.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = selectPage.checked; });
    });
    rows.forEach(function (row) {
      row.addEventListener("change", function () {
        var checked = document.querySelectorAll("[data-select-row]:checked").length;
        selectPage.checked = checked === rows.length;
        selectPage.indeterminate = checked > 0 && checked < rows.length;
      });
    });
  }
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();

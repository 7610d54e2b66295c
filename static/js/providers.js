/* Provider form: show only the card checkboxes (and the Express Checkout option) that the
   chosen account type offers. Without JavaScript every box shows and the server re-checks. */
(function () {
  "use strict";
  var select = document.querySelector("select[data-cards-by-type]");
  if (!select) { return; }
  var cardsByType = JSON.parse(select.dataset.cardsByType);
  var expressTypes = JSON.parse(select.dataset.expressCheckoutTypes || "[]");
  var cardBoxes = document.querySelectorAll('input[name="cards"]');
  var cardsGroup = document.getElementById("div_id_cards");
  var express = document.querySelector('input[name="express_checkout"]');
  var expressGroup = express ? express.closest(".mb-3, .form-check") : null;

  function sync() {
    var offered = cardsByType[select.value] || [];
    cardBoxes.forEach(function (box) {
      var item = box.closest(".form-check");
      var show = offered.indexOf(box.value) !== -1;
      item.hidden = !show;
      box.disabled = !show;
      if (!show) { box.checked = false; }
    });
    if (cardsGroup) { cardsGroup.hidden = offered.length === 0; }
    if (express) {
      var allowed = expressTypes.indexOf(select.value) !== -1;
      express.disabled = !allowed;
      if (!allowed) { express.checked = false; }
      if (expressGroup) { expressGroup.hidden = !allowed; }
    }
  }
  select.addEventListener("change", sync);
  sync();
})();

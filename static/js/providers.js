/* Provider form: show only the card checkboxes (and the Express Checkout option) that the
   chosen account type offers, and remember the ticks of each account type while the page is
   open: leaving a type and coming back brings its ticks back. A type not shown yet starts
   from the saved cards (data-saved-cards) and the ticks made under other types.
   Hidden boxes are disabled, so they are not sent: the server keeps the saved choices of the
   types not shown. Without JavaScript every box shows and the server re-checks. */
(function () {
  "use strict";
  var select = document.querySelector("select[data-cards-by-type]");
  if (!select) { return; }
  var cardsByType = JSON.parse(select.dataset.cardsByType);
  var expressTypes = JSON.parse(select.dataset.expressCheckoutTypes || "[]");
  var cardBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name="cards"]'));
  var cardsGroup = document.getElementById("div_id_cards");
  var express = document.querySelector('input[name="express_checkout"]');
  var expressGroup = express ? express.closest(".mb-3, .form-check") : null;

  var ticksByType = {};  // account type -> the cards ticked when it was last shown
  var known = JSON.parse(select.dataset.savedCards || "[]");  // for types not shown yet
  var expressTicked = JSON.parse(select.dataset.savedExpressCheckout || "false");
  var shown = null;  // the account type whose boxes are on screen

  function offeredBy(type) { return cardsByType[type] || []; }
  function expressOffered(type) { return expressTypes.indexOf(type) !== -1; }
  function ticked() {
    return cardBoxes.filter(function (box) { return box.checked && !box.disabled; })
      .map(function (box) { return box.value; });
  }

  function remember(type) {
    var offered = offeredBy(type);
    if (offered.length) {
      var now = ticked();
      ticksByType[type] = now;
      known = known.filter(function (card) { return offered.indexOf(card) === -1; }).concat(now);
    }
    if (express && expressOffered(type)) { expressTicked = express.checked; }
  }

  function show(type, first) {
    var offered = offeredBy(type);
    var wanted = first ? ticked() : (ticksByType[type] || known);
    cardBoxes.forEach(function (box) {
      var visible = offered.indexOf(box.value) !== -1;
      box.closest(".form-check").hidden = !visible;
      box.disabled = !visible;
      box.checked = visible && wanted.indexOf(box.value) !== -1;
    });
    if (cardsGroup) { cardsGroup.hidden = offered.length === 0; }
    if (express) {
      var allowed = expressOffered(type);
      if (first && allowed) { expressTicked = express.checked; }
      express.disabled = !allowed;
      express.checked = allowed && expressTicked;
      if (expressGroup) { expressGroup.hidden = !allowed; }
    }
    shown = type;
  }

  select.addEventListener("change", function () {
    if (shown !== null) { remember(shown); }
    show(select.value, false);
  });
  // The page as served: its ticks are those of the chosen type.
  var served = ticked();
  known = known.filter(function (card) {
    return offeredBy(select.value).indexOf(card) === -1;
  }).concat(served);
  show(select.value, true);
})();

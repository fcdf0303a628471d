// Portal behaviour without inline scripts (the Content-Security-Policy allows scripts from 'self' only).

// A submit button with data-busy-label shows that label while the form is sent; with data-busy-disable
// it is also disabled (after the browser has taken its name/value into the submitted data).
document.addEventListener("submit", function (event) {
  var button = event.submitter || event.target.querySelector("button[data-busy-label]");
  if (!button || !button.hasAttribute("data-busy-label")) {
    return;
  }
  var label = button.querySelector(".label") || button;
  label.textContent = button.getAttribute("data-busy-label");
  button.classList.add("htmx-request");
  if (button.hasAttribute("data-busy-disable")) {
    window.setTimeout(function () { button.disabled = true; }, 0);
  }
});

// Fields shown only for some values of another: an element with data-show-when="c-kind=individual"
// (several values: "c-kind=individual,organization") is hidden unless the field named c-kind (or, for a
// name without a form prefix, one ending in "-kind") has that value. Without JavaScript everything shows
// and the server ignores what does not apply. Hidden fields keep their values; they are not disabled.
(function () {
  function controls(scope, name) {
    var found = scope.querySelectorAll('[name="' + name + '"]');
    if (!found.length) {
      found = scope.querySelectorAll('[name$="-' + name + '"]');
    }
    return found;
  }

  function currentValue(inputs) {
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          return input.value;
        }
      } else {
        return input.value;
      }
    }
    return "";
  }

  function apply(root) {
    var elements = (root || document).querySelectorAll("[data-show-when]");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      if (element.matches("input, select, textarea")) {
        continue; // the widget carries the attribute too; its wrapper is what shows or hides
      }
      var rule = element.getAttribute("data-show-when").split("=");
      var scope = element.closest("form") || document;
      var inputs = controls(scope, rule[0].trim());
      if (!inputs.length) {
        continue;
      }
      var wanted = (rule[1] || "").split(",").map(function (v) { return v.trim(); });
      element.hidden = wanted.indexOf(currentValue(inputs)) < 0;
    }
  }

  document.addEventListener("change", function () { apply(document); });
  document.addEventListener("htmx:afterSwap", function (event) { apply(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { apply(document); });
  } else {
    apply(document);
  }
})();

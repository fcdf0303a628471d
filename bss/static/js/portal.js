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

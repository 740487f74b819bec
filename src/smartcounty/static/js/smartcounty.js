// Behaviour every page shares. No inline event handlers anywhere: the Content-Security-Policy refuses them.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
// The phone's menu button opens and closes the navigation.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".navtoggle");
  if (!button) { return; }
  var bar = button.closest(".topbar");
  var open = bar.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});

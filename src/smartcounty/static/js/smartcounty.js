// Behaviour every page shares. No inline event handlers anywhere: the Content-Security-Policy refuses them.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
// Menu groups: one open at a time; a click elsewhere or Escape closes it.
function closeMenuGroups(except) {
  document.querySelectorAll(".navgroup[open]").forEach(function (g) { if (g !== except) { g.removeAttribute("open"); } });
}
document.addEventListener("click", function (event) {
  closeMenuGroups(event.target.closest ? event.target.closest(".navgroup") : null);
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") { closeMenuGroups(null); }
});
// The phone's menu button opens and closes the navigation.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".navtoggle");
  if (!button) { return; }
  var bar = button.closest(".topbar");
  var open = bar.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});

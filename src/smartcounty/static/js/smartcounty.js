// Behaviour every page shares. No inline event handlers anywhere: the Content-Security-Policy refuses them.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});

/* "Use my location": the browser's position (WGS84 from the Geolocation API) asks for the air card. */
(function () {
  "use strict";
  var btn = document.getElementById("pt-locate");
  if (!btn) return;
  if (!("geolocation" in navigator)) { btn.hidden = true; return; }
  var text = JSON.parse(document.getElementById("pt-text").textContent || "{}");
  btn.addEventListener("click", function () {
    var target = document.getElementById("pt-air");
    target.textContent = text.locating || "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var url = btn.dataset.url + "?lon=" + pos.coords.longitude.toFixed(6) + "&lat=" + pos.coords.latitude.toFixed(6);
      htmx.ajax("GET", url, {target: "#pt-air"});
    }, function () { target.textContent = text.denied || ""; }, {timeout: 10000, maximumAge: 600000});
  });
})();

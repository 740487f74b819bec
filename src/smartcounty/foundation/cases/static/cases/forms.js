// Forms as data (cases/forms): show a field only while its condition holds, and pick places on a map.
(function () {
  function value(form, name) {
    var els = form.querySelectorAll('[name="' + name + '"]'), out = [];
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) continue;
      if (el.value !== '') out.push(el.value);
    }
    return out;
  }
  function update(form) {
    var fields = form.querySelectorAll('[data-show-field]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i], given = value(form, f.dataset.showField), ok;
      var holder = form.querySelector('[data-key] [name="' + f.dataset.showField + '"]');
      var parent = holder ? holder.closest('[data-key]') : null;
      if (parent && parent.hidden) given = [];
      if (f.dataset.showOp === 'filled') ok = given.length > 0;
      else { var wanted = JSON.parse(f.dataset.showValues || '[]'); ok = given.some(function (v) { return wanted.indexOf(v) >= 0; }); }
      f.hidden = !ok;
    }
  }
  function map(el) {
    if (typeof L === 'undefined') return;
    var form = el.closest('form'), lon = form.querySelector('[name="' + el.dataset.lon + '"]'),
        lat = form.querySelector('[name="' + el.dataset.lat + '"]'), marker = null;
    var m = L.map(el).setView([36.49, 115.45], 12);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles).addTo(m);
    fetch('/api/v1/places/towns.geojson').then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) { if (g) L.geoJSON(g, {style: {weight: 1, fillOpacity: .05}}).addTo(m); }).catch(function () {});
    function put(y, x) { lat.value = y.toFixed(6); lon.value = x.toFixed(6);
      if (marker) marker.setLatLng([y, x]); else marker = L.marker([y, x]).addTo(m); }
    m.on('click', function (e) { put(e.latlng.lat, e.latlng.lng); });
    var y = parseFloat(lat.value), x = parseFloat(lon.value);
    if (!isNaN(y) && !isNaN(x)) put(y, x);
  }
  document.addEventListener('DOMContentLoaded', function () {
    var forms = document.querySelectorAll('.sc-form');
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i].closest('form') || forms[i];
      (function (form) { form.addEventListener('input', function () { update(form); });
        form.addEventListener('change', function () { update(form); }); update(form); })(form);
    }
    var maps = document.querySelectorAll('.sc-map');
    for (var j = 0; j < maps.length; j++) map(maps[j]);
  });
})();

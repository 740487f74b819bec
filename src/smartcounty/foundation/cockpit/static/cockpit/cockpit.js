/* The operations cockpit: figures, charts, lists and the county map, refreshed without reloading.
   Data: the page's embedded first snapshot, then the compact live endpoint polled at the panels'
   shortest refresh; map layers ask for what is in view (bbox) and cluster it. No external requests. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("cockpit-config").textContent);
  var T = cfg.text;
  var TZ = "Asia/Shanghai";  // the county's time, whatever the display's clock says
  var charts = {};
  var seen = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  // Links from data: same-site paths or http(s) only (never javascript: or data:).
  function safeHref(url) {
    var u;
    try { u = new URL(String(url), window.location.href); } catch (e) { return null; }
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  }
  // A colour from data goes through the style object: the browser drops anything that is not a colour.
  function dot(cls, colour) {
    var d = el("div", cls);
    if (cls === "ck-dot") d.style.background = colour; else d.style.borderColor = colour;
    return d;
  }
  function fmt(v) {
    if (v === null || v === undefined || v === "") return "–";
    if (typeof v === "number") return Math.abs(v) >= 1000 ? v.toLocaleString() : String(Math.round(v * 10) / 10);
    return String(v);
  }
  function localTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    return d.toLocaleString(document.documentElement.lang || undefined, {timeZone: TZ, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
  }

  function renderFigure(node, res) {
    var v = node.querySelector(".v"), u = node.querySelector(".u"), n = node.querySelector(".ck-figure-note");
    node.classList.remove("ok", "warn", "bad");
    if (!res.ok) { v.textContent = "–"; u.textContent = ""; n.textContent = res.error; return; }
    var d = res.data || {};
    if (d.title) node.querySelector(".ck-figure-title").textContent = d.title;
    v.textContent = fmt(d.value);
    u.textContent = d.unit || "";
    n.textContent = d.value === null || d.value === undefined ? T.no_data : (d.note || "");
    if (d.level) node.classList.add(d.level);
  }

  function renderChart(node, res) {
    var key = node.dataset.panel;
    if (!window.echarts) return;  // charts come after the first screen (see loadCharts)
    if (!res.ok || !res.data || !(res.data.series || []).length) {
      if (charts[key]) { charts[key].dispose(); delete charts[key]; }
      node.textContent = res.ok ? T.no_data : res.error;
      node.classList.add("ck-empty");
      return;
    }
    node.classList.remove("ck-empty");
    if (!charts[key]) { node.textContent = ""; charts[key] = echarts.init(node, null, {renderer: "canvas"}); }
    var d = res.data, type = d.type || "bar";
    var axisStyle = {axisLabel: {color: "#9fb3c8"}, axisLine: {lineStyle: {color: "#4a6a95"}}, splitLine: {lineStyle: {color: "#1f3d6b"}}};
    var option = {
      backgroundColor: "transparent", textStyle: {color: "#dbe7f5"}, animation: false,
      tooltip: {trigger: type === "pie" ? "item" : "axis"},
      legend: {show: d.series.length > 1 || type === "pie", textStyle: {color: "#dbe7f5"}, top: 0},
      color: d.colours || ["#4fc3f7", "#7ee2a8", "#ffd166", "#ff8c42", "#ff6b6b", "#b39ddb", "#90a4ae"]
    };
    if (type === "pie") {
      option.series = [{type: "pie", radius: ["35%", "65%"], top: 20, label: {color: "#dbe7f5"},
        data: (d.categories || []).map(function (c, i) { return {name: c, value: d.series[0].data[i]}; })}];
    } else {
      var cat = Object.assign({type: "category", data: d.categories || []}, axisStyle);
      var val = Object.assign({type: "value", minInterval: 1}, axisStyle);
      option.grid = {left: d.horizontal ? 8 : 40, right: 16, top: d.series.length > 1 ? 28 : 12, bottom: 8, containLabel: true};
      option.xAxis = d.horizontal ? val : cat;
      option.yAxis = d.horizontal ? Object.assign(cat, {inverse: true}) : val;
      option.series = d.series.map(function (s) { return {name: s.name, type: type, data: s.data, smooth: type === "line",
        showSymbol: false, stack: d.horizontal ? "total" : undefined}; });
    }
    charts[key].setOption(option, true);
  }

  function renderList(node, res) {
    var key = node.dataset.panel;
    var first = !(key in seen);
    var known = seen[key] || {};
    var now = {};
    node.textContent = "";
    if (!res.ok) { node.appendChild(el("li", "", res.error)); return; }
    var items = (res.data && res.data.items) || [];
    if (!items.length) { node.appendChild(el("li", "", T.nothing)); }
    items.forEach(function (it) {
      var id = (it.id || "") + "|" + it.title + "|" + (it.time || "");
      now[id] = true;
      var li = el("li", (it.level || "") + (!first && !known[id] ? " fresh" : ""));
      var href = it.url ? safeHref(it.url) : null;
      var t = href ? el("a", "t", it.title) : el("span", "t", it.title);
      if (href) t.href = href;
      li.appendChild(t);
      var meta = [localTime(it.time), it.meta].filter(Boolean).join(" · ");
      if (meta) li.appendChild(el("span", "m", meta));
      node.appendChild(li);
    });
    seen[key] = now;
  }

  var last = cfg.initial;
  function apply(snapshot) {
    last = snapshot;
    var panels = snapshot.panels || {};
    document.querySelectorAll("[data-panel]").forEach(function (node) {
      var res = panels[node.dataset.panel];
      if (!res) return;
      if (node.classList.contains("ck-figure")) renderFigure(node, res);
      else if (node.classList.contains("ck-chart")) renderChart(node, res);
      else if (node.classList.contains("ck-list")) renderList(node, res);
    });
    var status = document.getElementById("ck-status");
    status.textContent = T.updated + " " + localTime(snapshot.at);
    status.classList.remove("offline");
  }

  var refreshMs = Math.max(2, cfg.initial.refresh || 30) * 1000;
  function poll() {
    fetch(cfg.live_url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) { apply(s); refreshMs = Math.max(2, s.refresh || 30) * 1000; })
      .catch(function () { var s = document.getElementById("ck-status"); s.textContent = T.offline; s.classList.add("offline"); })
      .then(function () { setTimeout(poll, refreshMs); });
  }

  function clock() {
    document.getElementById("ck-clock").textContent = new Date().toLocaleString(document.documentElement.lang || undefined,
      {timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  // ---- map ----
  var STATE_COLOURS = {ok: "#2ecc71", online: "#2ecc71", normal: "#2ecc71", warn: "#f1c40f", offline: "#95a5a6",
    bad: "#e74c3c", alarm: "#e74c3c", open: "#ff8c42", 1: "#3498db", 2: "#f1c40f", 3: "#ff8c42", 4: "#e74c3c"};
  var map, overlays = {}, layerSpecs = {}, noteParts = {}, asked = {};

  function pointMarker(p, spec) {
    var colour = p.colour || STATE_COLOURS[p.state] || spec.colour;
    var icon = L.divIcon({className: "", html: dot("ck-dot", colour), iconSize: [14, 14], iconAnchor: [7, 7]});
    var m = L.marker([p.lat, p.lon], {icon: icon, title: p.label || ""});
    if (p.label) m.bindPopup(el("div", "", p.label));
    return m;
  }

  function showNote() {
    var txt = Object.keys(noteParts).map(function (k) { return noteParts[k]; }).filter(Boolean).join("; ");
    document.getElementById("ck-map-note").textContent = txt;
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function shown(key) { return map.hasLayer(overlays[layerSpecs[key].title]); }
  // Each request for a layer takes a ticket: an answer overtaken by a later request is dropped.
  function ticket(key) { asked[key] = (asked[key] || 0) + 1; return asked[key]; }

  // One layer's objects in the current view. Resolves once drawn (or failed).
  function loadLayer(key) {
    if (!shown(key)) return Promise.resolve();
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
    var url = cfg.layer_url.replace("__KEY__", encodeURIComponent(key)) + "?bbox=" + bbox + "&zoom=" + Math.round(map.getZoom());
    var mine = ticket(key);
    return getJSON(url).then(function (res) { if (mine === asked[key]) draw(key, res); }).catch(function () {});
  }

  // The first view, the county, in one answer that the page preloaded; layers it lacks are asked alone.
  function loadFirstView() {
    if (!cfg.first_view) return loadAll();
    var keys = Object.keys(layerSpecs).filter(shown), mine = {};
    keys.forEach(function (k) { mine[k] = ticket(k); });
    return getJSON(cfg.first_view).then(function (answers) {
      var got = {};
      answers.forEach(function (res) {
        got[res.key] = true;
        if (layerSpecs[res.key] && mine[res.key] === asked[res.key]) draw(res.key, res);
      });
      return Promise.all(keys.filter(function (k) { return !got[k]; }).map(loadLayer));
    }).catch(function () { return loadAll(); });
  }

  function draw(key, res) {
    var spec = layerSpecs[key], group = overlays[spec.title];
    group.clearLayers();
    noteParts[key] = "";
    if (!res.ok || !res.data) { showNote(); return; }
    var d = res.data;
    if (d.geojson) {
      L.geoJSON(d.geojson, {
        style: function (f) { return {color: (f.properties && f.properties.colour) || spec.colour, weight: spec.cluster ? 1 : 2, fillOpacity: 0.08}; },
        onEachFeature: function (f, layer) {
          var name = f.properties && (f.properties.label || f.properties.name);
          if (name && d.labels && map.getSize().x > 700) layer.bindTooltip(el("span", "", name), {permanent: true, direction: "center", className: "ck-town-label"});
          else if (name) layer.bindTooltip(el("span", "", name));
        }
      }).addTo(group);
    }
    var markers = (d.cells || []).map(function (c) {
      var colour = STATE_COLOURS[c.state] || spec.colour;
      var size = 26 + Math.min(24, Math.round(Math.log(c.count + 1) * 4));
      var cell = dot("ck-cell", colour);
      cell.style.width = cell.style.height = cell.style.lineHeight = size + "px";
      cell.textContent = String(c.count);
      var icon = L.divIcon({className: "", iconSize: [size, size], iconAnchor: [size / 2, size / 2], html: cell});
      var m = L.marker([c.lat, c.lon], {icon: icon});
      m.on("click", function () { map.setView([c.lat, c.lon], map.getZoom() + 2); });
      return m;
    });
    var pts = d.points || [];
    markers = markers.concat(pts.map(function (p) { return pointMarker(p, spec); }));
    // One batch: a clustering layer places them all at once rather than one by one.
    if (group.addLayers) group.addLayers(markers); else markers.forEach(function (m) { group.addLayer(m); });
    if (d.note) noteParts[key] = spec.title + ": " + d.note;
    if (d.total && d.total > pts.length && !(d.cells || []).length) {
      noteParts[key] = spec.title + ": " + T.shown_of.replace("%(shown)s", pts.length).replace("%(total)s", d.total);
    }
    showNote();
  }

  function loadAll() { return Promise.all(Object.keys(layerSpecs).map(function (k) { return loadLayer(k); })); }

  function initMap() {
    var bb = cfg.county_bbox;
    map = SC.map("ck-map", {preferCanvas: true, background: "outline"});  // the cockpit names the towns itself
    map.fitBounds([[bb[1], bb[0]], [bb[3], bb[2]]]);
    cfg.panels.filter(function (p) { return p.kind === "map-layer"; }).forEach(function (p) {
      layerSpecs[p.key] = p;
      var group = p.cluster ? L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50}) : L.featureGroup();
      overlays[p.title] = group;
      if (p.default_on) group.addTo(map);
    });
    if (Object.keys(overlays).length) L.control.layers(null, overlays, {collapsed: window.innerWidth < 700}).addTo(map);
    var timer;
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(loadAll, 250); });
    map.on("overlayadd", function (e) { Object.keys(layerSpecs).forEach(function (k) { if (layerSpecs[k].title === e.name) loadLayer(k); }); });
    setInterval(loadAll, 60000);
    return loadFirstView();
  }

  // Resolves after the browser has had a frame to paint what is drawn (or soon, in a hidden tab).
  function afterPaint() {
    return new Promise(function (done) {
      var fallback = setTimeout(done, 300);
      requestAnimationFrame(function () { setTimeout(function () { clearTimeout(fallback); done(); }, 0); });
    });
  }

  // ECharts (about 1 MB, some 100 ms of script on a cold cache) is fetched only once the figures,
  // the feed and the map are drawn and painted: neither its download nor its start-up competes with
  // the map's first answers. The charts follow.
  function loadCharts() {
    if (!document.querySelector(".ck-chart")) return Promise.resolve();
    return new Promise(function (done) {
      var s = document.createElement("script");
      s.src = document.getElementById("cockpit").dataset.echarts;
      s.onload = function () { apply(last); done(); };
      s.onerror = function () { done(); };
      document.body.appendChild(s);
    });
  }

  apply(cfg.initial);
  clock();
  setInterval(clock, 1000);
  // Then the map's exact view (a little wider than the county's box on most screens).
  initMap().then(afterPaint).then(loadCharts).then(function () { loadAll(); });
  setTimeout(poll, refreshMs);
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();

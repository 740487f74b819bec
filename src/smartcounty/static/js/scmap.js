// Maps every page shares (load after Leaflet): SC.map(id, options) makes a Leaflet map with a zoom range,
// a metric scale bar, the configured tile layers (kernel/tiles.py) and, without tiles, the offline background
// drawn from the platform's own data: the county outline, the towns with their names, and the grids of the
// towns in view once zoomed in. Page data drawn on the map stays above the background.
(function () {
  "use strict";
  var SC = window.SC = window.SC || {};
  var configEl = document.getElementById("sc-map-config");
  var config = configEl ? JSON.parse(configEl.textContent) : {tiles: [], background: "", grids: ""};
  var COUNTY = [36.49, 115.47];   // Guan County, shown until the data say where to look
  var GRID_ZOOM = 13;
  var backgroundData = null, waiting = [];

  // GCJ-02 (the published form of the offset; kernel/geo.py has the same in Python).
  function gcjDelta(lon, lat) {
    var a = 6378245.0, ee = 0.00669342162296594323, x = lon - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    dLon += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * Math.PI, magic = 1 - ee * Math.sin(radLat) * Math.sin(radLat), sqrtMagic = Math.sqrt(magic);
    return [(dLon * 180.0) / (a / sqrtMagic * Math.cos(radLat) * Math.PI), (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * Math.PI)];
  }
  SC.gcjDelta = gcjDelta;

  // Tiles drawn in GCJ-02 are moved by the offset at the view's centre, so that they sit under the
  // platform's WGS84 data; after a move the tiles are re-aligned to the new centre (within a street-level
  // view the offset changes by under 6 m; across the county by about 30 m).
  var ShiftedTiles = L.TileLayer.extend({
    onAdd: function (map) {
      L.TileLayer.prototype.onAdd.call(this, map);
      this._centre = map.getCenter();
      map.on("moveend", this._realign, this);
    },
    onRemove: function (map) {
      map.off("moveend", this._realign, this);
      L.TileLayer.prototype.onRemove.call(this, map);
    },
    _shift: function (z) {
      var c = this._centre || this._map.getCenter(), d = gcjDelta(c.lng, c.lat);
      return this._map.project([c.lat + d[1], c.lng + d[0]], z).subtract(this._map.project(c, z)).round();
    },
    _realign: function () {
      var before = this._shift(this._map.getZoom());
      this._centre = this._map.getCenter();
      if (!before.equals(this._shift(this._map.getZoom()))) { this.redraw(); }
    },
    _getTilePos: function (coords) {
      return L.TileLayer.prototype._getTilePos.call(this, coords).subtract(this._shift(coords.z));
    }
  });

  function withBackground(fn) {
    if (backgroundData) { fn(backgroundData); return; }
    waiting.push(fn);
    if (waiting.length > 1 || !config.background) { return; }
    fetch(config.background, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json();
    }).then(function (data) {
      backgroundData = data;
      waiting.splice(0).forEach(function (f) { f(data); });
    }).catch(function () { waiting = []; });
  }

  function label(text, cls) {
    var span = document.createElement("span");
    span.className = cls; span.textContent = text;   // names are data: text, never HTML
    return L.divIcon({className: "sc-map-label", html: span, iconSize: null});
  }

  // options.background: "outline" draws the county outline only (a page that draws and names the towns itself).
  function drawBackground(map, data, options, onReady) {
    var pane = map.createPane("scBackground");
    pane.style.zIndex = 350;   // above tiles (200), below the page's own shapes (400) and markers (600)
    pane.style.pointerEvents = "none";
    var labelPane = map.createPane("scLabels");
    labelPane.style.zIndex = 450;   // names stay readable above the page's own shapes, below its markers
    labelPane.style.pointerEvents = "none";
    var group = L.layerGroup().addTo(map);
    var outlineOnly = options.background === "outline";
    if (data.county) {
      L.geoJSON(data.county, {pane: "scBackground", interactive: false,
        style: {color: outlineOnly ? "#8fb3d9" : "#4a5d73", weight: 2.5, fill: !config.tiles.length && !outlineOnly,
                fillColor: "#fbfaf5", fillOpacity: 1}}).addTo(group);
    }
    if (outlineOnly) { if (onReady) { onReady(L.geoJSON(data.towns).getBounds()); } return; }
    var towns = L.geoJSON(data.towns, {pane: "scBackground", interactive: false,
      style: {color: "#9aa9b8", weight: 1, dashArray: "4 3", fill: false}}).addTo(group);
    var labels = L.layerGroup();
    data.towns.features.forEach(function (f) {
      var p = f.properties;
      L.marker([p.label_lat, p.label_lon], {icon: label(p.name, "sc-town-label"), interactive: false, keyboard: false,
        pane: "scLabels"}).addTo(labels);
    });
    labels.addTo(group);
    // Grids of the towns in view, once zoomed in far enough to read them.
    var grids = L.layerGroup().addTo(group), loaded = {};
    function showGrids() {
      if (!config.grids || map.getZoom() < GRID_ZOOM) { map.removeLayer(grids); return; }
      if (!map.hasLayer(grids)) { grids.addTo(map); }
      var view = map.getBounds();
      data.towns.features.forEach(function (f) {
        var b = f.properties.bbox, code = f.properties.code;
        if (!b || loaded[code] || !view.intersects([[b[1], b[0]], [b[3], b[2]]])) { return; }
        loaded[code] = true;
        fetch(config.grids + "?town=" + encodeURIComponent(code)).then(function (r) { return r.json(); }).then(function (fc) {
          L.geoJSON(fc, {pane: "scBackground", interactive: false, style: {color: "#b7c4d1", weight: 0.8, fill: false}}).addTo(grids);
          (fc.features || []).forEach(function (g) {
            var c = L.geoJSON(g).getBounds().getCenter();
            L.marker(c, {icon: label(g.properties.name, "sc-grid-label"), interactive: false, keyboard: false,
              pane: "scLabels"}).addTo(grids);
          });
        });
      });
    }
    map.on("zoomend moveend", showGrids);
    showGrids();
    if (onReady) { onReady(towns.getBounds()); }
  }

  // SC.map(id, {fit: true}): a map; fit = show the whole county when the page draws nothing of its own.
  SC.map = function (id, options) {
    options = options || {};
    var map = L.map(id, {zoomSnap: 0.25, minZoom: 7, maxZoom: 18, preferCanvas: !!options.preferCanvas,
      attributionControl: config.tiles.length > 0});
    map.setView(options.center || COUNTY, options.zoom || 10);
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    config.tiles.forEach(function (t) {
      var Layer = t.crs === "gcj02" ? ShiftedTiles : L.TileLayer;
      new Layer(t.url, {subdomains: t.subdomains || "abc", attribution: t.attribution || "", maxZoom: 18}).addTo(map);
    });
    if (!config.tiles.length || options.outline !== false) {
      withBackground(function (data) {
        drawBackground(map, data, options, function (bounds) {
          if (options.fit && bounds.isValid()) { map.fitBounds(bounds, {padding: [10, 10]}); }
        });
      });
    }
    return map;
  };

  // SC.layer(map, url, options): a platform map layer (places' /api/v1/places/layers/<key>/features.geojson)
  // drawn for the view: its features meeting the map's bounds are fetched again after each move. Feature
  // names are data: tooltips get a text node. options.style: a Leaflet path style (or a function of the
  // feature); options.label: the tooltip's text for a feature; options.onData(fc) after each draw.
  SC.layer = function (map, url, options) {
    options = options || {};
    var group = L.geoJSON(null, {
      style: options.style || {color: "#1f5fa8", weight: 1, fillOpacity: 0.15},
      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 5}); },
      onEachFeature: function (f, layer) {
        var text = options.label ? options.label(f) : (f.properties && f.properties._name) || "";
        if (text) { var span = document.createElement("span"); span.textContent = text; layer.bindTooltip(span, {sticky: true}); }
      }
    }).addTo(map);
    var seq = 0;
    function load() {
      var b = map.getBounds(), mine = ++seq;
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bbox.join(","), {credentials: "same-origin"})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (fc) {
          if (mine !== seq) { return; }
          group.clearLayers();
          group.addData(fc);
          if (options.onData) { options.onData(fc); }
        }).catch(function () { /* the next move tries again */ });
    }
    map.on("moveend", load);
    load();
    return group;
  };

  // Fit a map to what a page drew (a LatLngBounds or a layer); the county when nothing was drawn.
  SC.fit = function (map, what, options) {
    var b = what && what.getBounds ? what.getBounds() : what;
    if (b && b.isValid && b.isValid()) { map.fitBounds(b, L.extend({padding: [20, 20], maxZoom: 14}, options || {})); }
  };
})();

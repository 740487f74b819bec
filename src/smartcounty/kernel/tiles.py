"""Map backgrounds: which tile layers the maps draw under the platform's own data.

Without any setting the maps need no tile server: every map draws the offline background from the
platform's own data (county outline, labelled towns, grids at higher zoom, a scale bar; see
``static/js/scmap.js``). Settings (docs/settings.md):

- ``SMARTCOUNTY_TILE_PRESET=tianditu`` with ``SMARTCOUNTY_TIANDITU_KEY``: 天地图's vector map and its
  Chinese labels (the ``_w`` Web-Mercator layers, drawn in CGCS2000, which is WGS84 to well under a
  metre: no offset).
- ``SMARTCOUNTY_TILE_URL`` (``{z}/{x}/{y}``, ``{s}`` for subdomains) with ``SMARTCOUNTY_TILE_ATTRIBUTION``
  and ``SMARTCOUNTY_TILE_CRS``: ``wgs84`` (also CGCS2000, the default) or ``gcj02`` for tiles drawn in
  the GCJ-02 offset (Amap, Tencent). The platform's coordinates are WGS84; on GCJ-02 tiles the maps shift
  the tiles by the offset at the view's centre and re-align them after every move (within a street-level
  view the offset changes by under 6 m; across the county by about 30 m).

No Django import here: settings.py uses it to allow the tile server's origin in the CSP.
"""

from urllib.parse import urlsplit

TIANDITU = "https://t{{s}}.tianditu.gov.cn/{layer}/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={name}" \
           "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
TIANDITU_ATTRIBUTION = "天地图 · 国家地理信息公共服务平台"
CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02")


class TileSettingError(ValueError):
    pass


def tile_layers(env) -> list[dict]:
    """The tile layers, bottom first: ``{"url", "subdomains", "attribution", "crs"}`` (empty: offline)."""
    preset = (env.get("SMARTCOUNTY_TILE_PRESET") or "").strip().lower()
    if preset == "tianditu":
        key = (env.get("SMARTCOUNTY_TIANDITU_KEY") or "").strip()
        if not key:
            raise TileSettingError("SMARTCOUNTY_TILE_PRESET=tianditu needs SMARTCOUNTY_TIANDITU_KEY (a 天地图 key)")
        return [{"url": TIANDITU.format(layer=layer, name=layer[:3], key=key), "subdomains": "01234567",
                 "attribution": TIANDITU_ATTRIBUTION if layer == "vec_w" else "", "crs": "wgs84"}
                for layer in ("vec_w", "cva_w")]
    if preset:
        raise TileSettingError(f"SMARTCOUNTY_TILE_PRESET={preset!r}: the only preset is 'tianditu'")
    url = (env.get("SMARTCOUNTY_TILE_URL") or "").strip()
    if not url:
        return []
    crs = (env.get("SMARTCOUNTY_TILE_CRS") or "wgs84").strip().lower()
    if crs not in CRS_CHOICES:
        raise TileSettingError(f"SMARTCOUNTY_TILE_CRS={crs!r}: one of {', '.join(CRS_CHOICES)}")
    return [{"url": url, "subdomains": env.get("SMARTCOUNTY_TILE_SUBDOMAINS", "abc"),
             "attribution": env.get("SMARTCOUNTY_TILE_ATTRIBUTION", ""),
             "crs": "gcj02" if crs == "gcj02" else "wgs84"}]


def tile_origins(layers: list[dict]) -> list[str]:
    """The origins the CSP must allow images from (``{s}`` becomes a wildcard subdomain)."""
    out = []
    for layer in layers:
        parts = urlsplit(layer["url"].replace("{s}", "*"))
        if parts.scheme in ("http", "https") and parts.netloc:
            netloc = parts.netloc if "*" not in parts.netloc else "*." + parts.netloc.split(".", 1)[-1]
            origin = f"{parts.scheme}://{netloc}"
            if origin not in out:
                out.append(origin)
    return out

"""The page's own CSS (legend, title, labels, event icons, popups). Trusted, built by mapapp."""

from __future__ import annotations

MAP_CSS = """
.leaflet-container { background: #c9dbe9; font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; }
.mapapp-swatch { display: inline-block; width: 14px; height: 11px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid rgba(0,0,0,.35); box-sizing: border-box; }
.mapapp-title { background: rgba(255,255,255,.93); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 340px; }
.mapapp-title h1 { font-size: 15px; margin: 0 0 2px; }
.mapapp-title .mapapp-stamp { color: #444; }
.mapapp-title .mapapp-approx { color: #8a4b00; font-size: 11px; margin-top: 2px; }
.mapapp-legend { background: rgba(255,255,255,.94); padding: 6px 9px; max-width: 290px;
  max-height: calc(100vh - 190px); overflow-y: auto; line-height: 1.25; font-size: 11.5px; }
.mapapp-legend ul { list-style: none; margin: 6px 0 0; padding: 0; }
.mapapp-legend li { margin: 1px 0; }
.mapapp-legend-title { font-weight: 700; font-size: 12px; cursor: pointer; }
.mapapp-legend-date { color: #444; }
.mapapp-legend-keys, .mapapp-legend-events { border-top: 1px solid #ddd; padding-top: 4px !important; }
.mapapp-legend-note { border-top: 1px solid #ddd; margin-top: 6px; padding-top: 4px; color: #555;
  font-size: 10.5px; }
.mapapp-legend-icon { display: inline-flex !important; width: 16px !important; height: 16px !important;
  margin-right: 6px; vertical-align: -4px; }
.mapapp-legend-icon svg { width: 11px; height: 11px; }
.mapapp-label-layer, .mapapp-label-layer > div { position: absolute; left: 0; top: 0; }
.mapapp-country-label { color: #6d6458; font-size: 11px; letter-spacing: .12em; text-transform: uppercase;
  white-space: nowrap; transform: translate(-50%, -50%); text-shadow: 0 0 3px #fff, 0 0 2px #fff; }
.mapapp-country-focus { color: #2f2f2f; font-size: 15px; font-weight: 700; letter-spacing: .3em;
  opacity: .55; }
.mapapp-town { white-space: nowrap; font-size: 11px; color: #222; transform: translate(-4px, -50%);
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.mapapp-town i { display: inline-block; width: 6px; height: 6px; margin-right: 3px; border-radius: 50%;
  background: #fff; border: 1.5px solid #222; vertical-align: -1px; }
.mapapp-divicon { background: none; border: none; }
.mapapp-event { display: flex; align-items: center; justify-content: center; width: 26px; height: 26px;
  box-sizing: border-box; border-radius: 50%; background: #1f3b63; border: 2px solid #fff;
  box-shadow: 0 1px 4px rgba(0,0,0,.55); cursor: pointer; }
.mapapp-cat-strike { background: #b3001b; }
.mapapp-cat-siege { background: #6a3d9a; }
.mapapp-cat-offensive { background: #1f5fa8; }
.mapapp-cat-capture { background: #1f3b63; }
.mapapp-event-after { opacity: .55; border: 2px dashed #222; background-color: #777; }
.mapapp-popup h4 { margin: 4px 0; font-size: 14px; }
.mapapp-popup p { margin: 4px 0; }
.mapapp-popup ul, .mapapp-popup ol { margin: 2px 0 4px; padding-left: 18px; }
.mapapp-popup .mapapp-date, .mapapp-popup .mapapp-coords { color: #555; }
.mapapp-after { background: #fff3cd; border: 1px solid #e0b84c; padding: 3px 6px; font-weight: 600; }
.mapapp-popup a { word-break: break-all; }
.mapapp-tip { font-size: 12px; }
.mapapp-gain:hover { stroke-width: 3px; }
.leaflet-top.leaflet-right { z-index: 1001; }  /* the opened layer list goes over the legend */
.leaflet-control-attribution { font-size: 10px; max-width: 70vw; line-height: 1.3; }
"""

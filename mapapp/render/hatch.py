"""Hatching: stripes of both factions' colours (contested, mixed) and dots (low confidence).

Leaflet's SVG renderer writes ``fillColor`` into the ``fill`` attribute of each path, so a fill of
``url(#mapapp-hatch-a-b)`` paints the area with a ``<pattern>`` defined once in a hidden inline
``<svg>`` of the page (:class:`HatchDefs`). The legend draws the same stripes with a CSS gradient.
"""

from __future__ import annotations

import re

from branca.element import Element, Figure, MacroElement

from mapapp.render.html import esc

_UNSAFE = re.compile(r"[^a-z0-9_]")
STRIPE_PX = 5
"""Width of one stripe on screen, in pixels."""


def pattern_id(first: str, second: str, status: str) -> str:
    """Return the DOM id of the pattern for two factions and a status (ids are sanitised)."""
    parts = (_UNSAFE.sub("", s.lower()) for s in (status, first, second))
    return "mapapp-hatch-" + "-".join(parts)


def low_pattern_id(faction: str) -> str:
    """Return the DOM id of the dotted fill of a low-confidence area of ``faction``."""
    return pattern_id(faction, "", "low")


def pattern_svg(pid: str, colour_a: str, colour_b: str, status: str) -> str:
    """Return one ``<pattern>``: stripes one way (contested), the other way (mixed), or dots (low)."""
    if status == "low":
        return (
            f'<pattern id="{esc(pid)}" patternUnits="userSpaceOnUse" width="7" height="7">'
            f'<rect width="7" height="7" fill="{esc(colour_a)}"/>'
            f'<circle cx="2" cy="2" r="1.2" fill="{esc(colour_b)}" fill-opacity="0.8"/>'
            f'<circle cx="5.5" cy="5.5" r="1.2" fill="{esc(colour_b)}" fill-opacity="0.8"/></pattern>'
        )
    size = 2 * STRIPE_PX
    angle = 45 if status == "contested" else -45
    return (
        f'<pattern id="{esc(pid)}" patternUnits="userSpaceOnUse" width="{size}" height="{size}" '
        f'patternTransform="rotate({angle})">'
        f'<rect width="{size}" height="{size}" fill="{esc(colour_a)}"/>'
        f'<rect width="{STRIPE_PX}" height="{size}" fill="{esc(colour_b)}"/></pattern>'
    )


def css_dots(colour: str, dots: str = "#ffffff") -> str:
    """Return a CSS background drawing the low-confidence dots (for the legend)."""
    return f"radial-gradient(circle, {dots} 1.2px, transparent 1.6px) 0 0/5px 5px, {colour}"


def css_stripes(colour_a: str, colour_b: str, status: str) -> str:
    """Return a CSS background drawing the same stripes as the pattern (for the legend)."""
    angle = 45 if status == "contested" else 135
    return (
        f"repeating-linear-gradient({angle}deg, {colour_a} 0 {STRIPE_PX - 1}px, "
        f"{colour_b} {STRIPE_PX - 1}px {2 * STRIPE_PX - 2}px)"
    )


class HatchDefs(MacroElement):  # type: ignore[misc]
    """A hidden ``<svg><defs>`` holding every pattern a map uses, placed in the page body."""

    def __init__(self, patterns: dict[str, tuple[str, str, str]]) -> None:
        super().__init__()
        self._name = "HatchDefs"
        self.patterns = dict(patterns)

    def markup(self) -> str:
        """Return the ``<svg>`` element with the pattern definitions."""
        body = "".join(pattern_svg(pid, a, b, s) for pid, (a, b, s) in sorted(self.patterns.items()))
        return (
            '<svg class="mapapp-hatch-defs" aria-hidden="true" width="0" height="0" '
            f'style="position:absolute;width:0;height:0;overflow:hidden"><defs>{body}</defs></svg>'
        )

    def render(self, **kwargs: object) -> None:
        """Add the definitions to the figure's HTML."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "HatchDefs must be added to a map inside a Figure"
        figure.html.add_child(Element(self.markup()), name=self.get_name())

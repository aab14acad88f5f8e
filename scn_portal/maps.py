"""A map of the network drawn on the server, with no online tile service.

Country outlines come from the vendored world-atlas TopoJSON (Natural Earth data, 1:50m);
cities are placed by their coordinates. Projection: equirectangular, longitudes scaled by
the cosine of the map's middle latitude, which is faithful enough at a country's scale.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings

ATLAS = settings.BASE_DIR / "static" / "vendor" / "world-atlas-2.0.2" / "countries-50m.json"
WIDTH = 600  # the SVG's viewBox width; its height follows the area shown


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    title: str  # the tooltip: the name in both scripts
    url: str
    kind: str  # the city's membership status, for its colour
    label_dy: float = 4  # moved down when another label would cover this one


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    countries: list[str]  # SVG path data, one per country in view
    markers: list[Marker]


@cache
def _countries() -> list[list[list[tuple[float, float]]]]:
    """Every country as a list of rings of (longitude, latitude) points."""
    topology = json.loads(ATLAS.read_text())
    (scale_x, scale_y), (move_x, move_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)

    def ring(indexes: Sequence[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        return points

    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        countries.append([ring(indexes) for polygon in polygons for indexes in polygon])
    return countries


def network_map(
    cities: Iterable,
    *,
    url: Callable[[object], str],
    local_names: bool = False,
    padding_degrees: float = 4.0,
) -> Map | None:
    """The map around `cities` (with latitude, longitude, name and membership_status), each
    marker linking to `url(city)`; None when no city has coordinates."""
    placed = [city for city in cities if city.latitude is not None and city.longitude is not None]
    if not placed:
        return None
    lats = [float(city.latitude) for city in placed]
    lons = [float(city.longitude) for city in placed]
    south, north = max(min(lats) - padding_degrees, -85), min(max(lats) + padding_degrees, 85)
    west, east = min(lons) - padding_degrees, max(lons) + padding_degrees
    # Keep a landscape shape: widen the narrower dimension.
    stretch = math.cos(math.radians((south + north) / 2))
    if (east - west) * stretch < (north - south) * 1.4:
        extra = ((north - south) * 1.4 / stretch - (east - west)) / 2
        west, east = west - extra, east + extra
    unit = WIDTH / ((east - west) * stretch)
    height = (north - south) * unit

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * stretch * unit, (north - lat) * unit

    paths = []
    for rings in _countries():
        in_view = any(
            west - 10 <= lon <= east + 10 and south - 10 <= lat <= north + 10
            for ring_points in rings
            for lon, lat in ring_points[:: max(1, len(ring_points) // 20)]
        )
        if not in_view:
            continue
        path = []
        for ring_points in rings:
            coordinates = _simplified(
                [_clamp(project(lon, lat), WIDTH, height) for lon, lat in ring_points]
            )
            if len(coordinates) > 2:
                path.append("M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in coordinates) + "Z")
        if path:
            paths.append("".join(path))
    markers = [
        Marker(
            *project(float(city.longitude), float(city.latitude)),
            label=(city.name_local if local_names and city.name_local else city.name),
            title=" · ".join(filter(None, [city.name, city.name_local])),
            url=url(city),
            kind=city.membership_status,
        )
        for city in placed
    ]
    return Map(
        width=WIDTH, height=round(height, 1), countries=paths, markers=_spread_labels(markers)
    )


def _simplified(points: list[tuple[float, float]], step: float = 2.5) -> list[tuple[float, float]]:
    """Drop points closer than `step` pixels to the last one kept: the map's detail at its size."""
    kept = points[:1]
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) + abs(y - last_y) >= step:
            kept.append((x, y))
    return kept


def _clamp(point: tuple[float, float], width: float, height: float, margin: float = 20):
    """Pull a point far outside the view onto a frame around it: what shows inside the view is
    unchanged, and the long coastlines of big countries cost nothing."""
    x, y = point
    return min(max(x, -margin), width + margin), min(max(y, -margin), height + margin)


# Labels move down at most this many times to clear others; past that, a label is left out
# (its dot and tooltip stay).
LABEL_MOVES = 3
LABEL_WIDTH, LABEL_HEIGHT, LABEL_STEP = 90, 16, 18


def _spread_labels(markers: list[Marker]) -> list[Marker]:
    """Move a label below its dot when an earlier label sits close by (e.g. Peshawar and
    Nowshera, 40 km apart), and leave it out where the map is too crowded for it.

    Placed labels are kept in a grid of label-sized cells, so each label is checked against
    its few neighbours only: a map of 10,000 cities (scale 10) is drawn in linear time, where
    checking every earlier label, and moving down without end, took minutes."""
    grid: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)

    def crowded(x: float, y: float) -> bool:
        column, row = int(x // LABEL_WIDTH), int(y // LABEL_HEIGHT)
        return any(
            abs(other_x - x) < LABEL_WIDTH and abs(other_y - y) < LABEL_HEIGHT
            for near_column in (column - 1, column, column + 1)
            for near_row in (row - 1, row, row + 1)
            for other_x, other_y in grid[(near_column, near_row)]
        )

    placed: list[Marker] = []
    for marker in sorted(markers, key=lambda m: (m.y, m.x)):
        dy, label = marker.label_dy, marker.label
        for _ in range(LABEL_MOVES):
            if not crowded(marker.x, marker.y + dy):
                break
            dy += LABEL_STEP
        else:
            if crowded(marker.x, marker.y + dy):
                label = ""
        if label:
            y = marker.y + dy
            grid[(int(marker.x // LABEL_WIDTH), int(y // LABEL_HEIGHT))].append((marker.x, y))
        placed.append(Marker(marker.x, marker.y, label, marker.title, marker.url, marker.kind, dy))
    return placed

"""mapapp: territorial control in Syria and Iraq, as maps people can read and publish.

The package is organised as a one-way data flow (see ``docs/architecture.md``)::

    file --readers--> raw GeoDataFrame --validate--> ControlSnapshot --render--> folium.Map
    points --derive--> ControlSnapshot
    events file --events--> EventSet

Public entry points are re-exported here.
"""

from mapapp.errors import MapAppError, Problem
from mapapp.snapshot import ControlSnapshot

__all__ = ["ControlSnapshot", "MapAppError", "Problem"]
__version__ = "0.1.0"

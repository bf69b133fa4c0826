"""Catalog writes under concurrency and crashes (issue 8).

Real processes, real ``fcntl`` locks, real ``SIGKILL``: two imports of the same date leave exactly
one winner; imports of different dates are all kept (no lost update); a writer killed after staging
its files but before the commit leaves the manifest and every listed file byte-for-byte unchanged,
with leftovers only inside ``.staging``, and the next import works.

Children are plain ``python -c`` processes that talk to the test over stdin/stdout; the test waits
for their messages (never a fixed sleep) and stops them by PID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from mapapp.catalog import Catalog
from mapapp.errors import CatalogError
from mapapp.snapshot import ControlSnapshot

DEADLINE_S = 60.0
ROOT = Path(__file__).resolve().parent.parent

# A child: builds a snapshot in code, says READY, waits for GO on stdin, then Catalog.add with a
# behaviour chosen by MODE, and prints one JSON line with the outcome.
CHILD = r"""
import json, os, sys, time
import geopandas as gpd, shapely
from mapapp.catalog import Catalog
from mapapp.errors import CatalogError, MapAppError
from mapapp.snapshot import ControlSnapshot
import datetime as dt

root, date, mode, label, replace = sys.argv[1:6]
x0 = 39.0 + (hash(label) % 7) * 0.01
areas = gpd.GeoDataFrame(
    {"faction": ["syrian_government", "sdf"], "secondary": [None, None],
     "status": ["control", "control"], "confidence": ["high", "medium"], "note": [label, None]},
    geometry=[shapely.box(x0, 35.0, 39.5, 35.5), shapely.box(39.5, 35.0, 40.0, 35.5)],
    crs="EPSG:4326",
)
snap = ControlSnapshot(dt.date.fromisoformat(date), label, "test", "CC0", "high", areas, {"by": label})

def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()

def hold():
    say("STAGED")
    if mode == "hold":
        if sys.stdin.readline().strip() != "COMMIT":
            sys.exit(3)
    else:  # die_before: stay here until the parent kills us
        while True:
            time.sleep(3600)

if mode == "die_between":
    real = os.replace
    calls = []
    def replace(src, dst):
        real(src, dst)
        calls.append(dst)
        if len(calls) == 1:
            say("STAGED")
            while True:
                time.sleep(3600)
    os.replace = replace

say("READY")
if sys.stdin.readline().strip() != "GO":
    sys.exit(3)
try:
    hook = hold if mode in ("hold", "die_before") else None
    entry = Catalog(root).add(snap, replace=replace == "1", _before_commit=hook)
    say(json.dumps({"ok": True, "file": entry.file}))
except CatalogError as exc:
    say(json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)}))
except MapAppError as exc:
    say(json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)}))
"""


# -- helpers ------------------------------------------------------------------------------------
def make_snapshot(date: str, label: str = "seed") -> ControlSnapshot:
    areas = gpd.GeoDataFrame(
        {
            "faction": ["syrian_government", "sdf"],
            "secondary": [None, None],
            "status": ["control", "control"],
            "confidence": ["high", "high"],
            "note": [label, None],
        },
        geometry=[shapely.box(39.0, 35.0, 39.5, 35.5), shapely.box(39.5, 35.0, 40.0, 35.5)],
        crs="EPSG:4326",
    )
    return ControlSnapshot(dt.date.fromisoformat(date), label, "test", "CC0", "high", areas, {})


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path) with its sha256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_catalog_intact(catalog: Catalog) -> list[dict[str, object]]:
    """The manifest is valid JSON, its entries parse and each listed file matches its checksum."""
    manifest = json.loads(catalog.manifest_path.read_text(encoding="utf-8"))
    assert isinstance(manifest["snapshots"], list)
    for entry in catalog.entries():
        data = (catalog.dir / entry.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.file
        assert json.loads(data)["type"] == "FeatureCollection"
    assert list(catalog.dir.glob("tmp-*")) == []
    return list(manifest["snapshots"])


class Child:
    """A writer process driven over its stdin/stdout."""

    def __init__(self, root: Path, date: str, mode: str, label: str, replace: bool = False) -> None:
        self.label = label
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root), date, mode, label, "1" if replace else "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def expect(self, wanted: str | None = None) -> str:
        """Return the child's next line (``wanted`` if given), waiting at most DEADLINE_S."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], DEADLINE_S)
        assert ready, f"child {self.proc.pid} said nothing within {DEADLINE_S}s"
        line = self.proc.stdout.readline().strip()
        if wanted is not None:
            err = "" if line else (self.proc.stderr.read() if self.proc.stderr else "")
            assert line == wanted, f"expected {wanted!r} from child, got {line!r}; stderr: {err}"
        return line

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, object]:
        out = json.loads(self.expect())
        assert self.proc.wait(timeout=DEADLINE_S) == 0
        assert self.proc.stderr is not None
        stderr = self.proc.stderr.read()
        assert "Traceback" not in stderr, stderr
        return dict(out)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=DEADLINE_S) == -signal.SIGKILL

    def close(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=DEADLINE_S)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def children() -> Iterator[list[Child]]:
    started: list[Child] = []
    yield started
    for child in started:
        child.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Catalog:
    """A catalog holding one snapshot (2017-01-08)."""
    catalog = Catalog(tmp_path / "catalog")
    catalog.add(make_snapshot("2017-01-08"))
    return catalog


def waiting_on_flock(pid: int) -> bool:
    """Whether ``pid`` is blocked waiting for a flock (Linux /proc/locks marks waiters with ->)."""
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "->" in parts and "FLOCK" in parts and str(pid) in parts:
            return True
    return False


# -- tests --------------------------------------------------------------------------------------
def test_same_date_while_first_is_staged_second_waits_then_loses(
    seeded: Catalog, children: list[Child]
) -> None:
    """A is staged inside the lock; B is seen blocked on the lock; A commits; B gets CatalogError."""
    if not Path("/proc/locks").exists():
        pytest.skip("needs Linux /proc/locks to observe the waiting writer")
    a = Child(seeded.root, "2018-02-07", "hold", "writer-a")
    b = Child(seeded.root, "2018-02-07", "plain", "writer-b")
    children += [a, b]
    a.expect("READY")
    b.expect("READY")
    a.send("GO")
    a.expect("STAGED")
    b.send("GO")
    deadline = time.monotonic() + DEADLINE_S
    while not waiting_on_flock(b.proc.pid):
        assert b.proc.poll() is None, "writer B finished while A held the lock"
        assert time.monotonic() < deadline, "writer B never queued on the catalog lock"
        select.select([], [], [], 0.02)
    a.send("COMMIT")
    won, lost = a.result(), b.result()
    assert won["ok"] is True
    assert lost["ok"] is False and lost["error"] == "CatalogError"
    assert "already exists" in str(lost["message"]) and "--replace" in str(lost["message"])
    listed = assert_catalog_intact(seeded)
    assert [e["date"] for e in listed] == ["2017-01-08", "2018-02-07"]
    assert seeded.entry("2018-02-07").label == "writer-a"


@pytest.mark.parametrize("n_writers", [2, 4])
def test_same_date_race_has_exactly_one_winner(
    seeded: Catalog, children: list[Child], n_writers: int
) -> None:
    writers = [Child(seeded.root, "2018-02-07", "plain", f"w{i}") for i in range(n_writers)]
    children += writers
    for w in writers:
        w.expect("READY")
    for w in writers:
        w.send("GO")
    results = [w.result() for w in writers]
    winners = [r for r in results if r["ok"]]
    assert len(winners) == 1, results
    assert all(r["error"] == "CatalogError" for r in results if not r["ok"])
    listed = assert_catalog_intact(seeded)
    assert [e["date"] for e in listed] == ["2017-01-08", "2018-02-07"]
    winner_label = writers[results.index(winners[0])].label
    assert seeded.entry("2018-02-07").label == winner_label


def test_different_dates_at_once_are_all_kept(seeded: Catalog, children: list[Child]) -> None:
    """No lost update: each writer reads-modifies-writes the manifest under the lock."""
    dates = ["2017-02-01", "2017-03-01", "2017-04-01", "2017-05-01", "2017-06-01"]
    writers = [Child(seeded.root, d, "plain", f"w{d}") for d in dates]
    children += writers
    for w in writers:
        w.expect("READY")
    for w in writers:
        w.send("GO")
    # Meanwhile a reader keeps reading: it never sees a torn manifest, and entries only grow.
    seen: list[int] = []
    deadline = time.monotonic() + DEADLINE_S
    while True:
        present = {e.date.isoformat() for e in seeded.entries()}
        assert "2017-01-08" in present and present <= {"2017-01-08", *dates}
        assert not seen or len(present) >= seen[-1]
        seen.append(len(present))
        if all(w.proc.poll() is not None for w in writers) or time.monotonic() > deadline:
            break
    assert all(w.result()["ok"] for w in writers)
    listed = assert_catalog_intact(seeded)
    assert [e["date"] for e in listed] == ["2017-01-08", *dates]


@pytest.mark.parametrize("replace", [False, True], ids=["new-date", "replace-date"])
def test_killed_before_commit_leaves_catalog_unchanged(
    seeded: Catalog, children: list[Child], replace: bool
) -> None:
    before = tree_hashes(seeded.dir)
    date = "2017-01-08" if replace else "2018-02-07"
    child = Child(seeded.root, date, "die_before", "doomed", replace=replace)
    children.append(child)
    child.expect("READY")
    child.send("GO")
    child.expect("STAGED")
    staged = tree_hashes(seeded.dir)
    new = {p for p in staged if p not in before}
    assert new, "the writer staged nothing before its commit hook"
    assert all(p.startswith(".staging/") for p in new), f"staged outside .staging: {sorted(new)}"
    child.kill()
    after = tree_hashes(seeded.dir)
    outside = {p: h for p, h in after.items() if not p.startswith(".staging/")}
    assert outside == {p: h for p, h in before.items() if not p.startswith(".staging/")}
    listed = assert_catalog_intact(seeded)
    assert [(e["date"], e["label"]) for e in listed] == [("2017-01-08", "seed")]
    # The lock died with its holder: the next import goes through at once.
    seeded.add(make_snapshot(date, "after-crash"), replace=replace)
    labels = [e.label for e in seeded.entries()]
    assert labels == (["after-crash"] if replace else ["seed", "after-crash"])
    assert_catalog_intact(seeded)


def test_killed_between_data_rename_and_manifest_rename(seeded: Catalog, children: list[Child]) -> None:
    """The manifest swap is the commit point: a crash just before it leaves the old catalog."""
    before_manifest = seeded.manifest_path.read_bytes()
    before_entries = seeded.entries()
    child = Child(seeded.root, "2018-02-07", "die_between", "doomed")
    children.append(child)
    child.expect("READY")
    child.send("GO")
    child.expect("STAGED")
    child.kill()
    assert seeded.manifest_path.read_bytes() == before_manifest
    assert seeded.entries() == before_entries
    assert_catalog_intact(seeded)
    # The data file was renamed into place before the crash: it may remain, but unlisted.
    listed = {e.file for e in before_entries}
    orphans = {p.name for p in seeded.dir.glob("*.geojson")} - listed
    assert orphans <= {"2018-02-07.geojson"}
    entry = seeded.add(make_snapshot("2018-02-07", "after-crash"))
    assert seeded.entry("2018-02-07").sha256 == entry.sha256
    assert_catalog_intact(seeded)


def test_in_process_failure_before_commit_leaves_no_trace(seeded: Catalog) -> None:
    before = tree_hashes(seeded.dir)

    def boom() -> None:
        raise CatalogError("simulated failure before the commit")

    with pytest.raises(CatalogError, match="simulated"):
        seeded.add(make_snapshot("2018-02-07"), _before_commit=boom)
    assert tree_hashes(seeded.dir) == before


def test_two_cli_imports_of_the_same_date_one_wins(seeded: Catalog) -> None:
    """The real command line, twice at once: exit codes {0, 1}, a domain message, no traceback."""
    source = ROOT / "tests" / "data" / "hostile" / "baseline.geojson"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = ["import", str(source), "--date", "2018-02-07", "--data-dir", str(seeded.root), "--licence", "CC0"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mapapp.cli", *argv, "--label", f"cli-{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(2)
    ]
    results = [(p.wait(timeout=DEADLINE_S * 2), *p.communicate()) for p in procs]
    assert sorted(rc for rc, _, _ in results) == [0, 1], results
    for rc, _, err in results:
        assert "Traceback" not in err
        if rc == 1:
            assert "already exists" in err and "--replace" in err
    listed = assert_catalog_intact(seeded)
    assert [e["date"] for e in listed] == ["2017-01-08", "2018-02-07"]
    winner = next(i for i, (rc, _, _) in enumerate(results) if rc == 0)
    assert seeded.entry("2018-02-07").label == f"cli-{winner}"

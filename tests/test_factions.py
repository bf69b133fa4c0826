import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapapp.factions import NO_DATA, normalise_name, registry

REQUIRED_ALIASES = {
    "islamic_state": ["ISIS", "ISIL", "IS", "Daesh", "Islamic State"],
    "syrian_government": ["SAA", "Syrian Arab Army", "Syrian government", "regime", "Assad"],
    "sdf": ["SDF", "YPG", "Rojava", "Syrian Democratic Forces"],
    "hts": ["HTS", "Tahrir al-Sham", "JFS", "Jabhat Fateh al-Sham", "al-Nusra"],
    "syrian_opposition": ["FSA", "rebels", "opposition", "Free Syrian Army"],
    "turkey_backed": ["SNA", "TFSA", "Turkey", "Turkish-backed", "Euphrates Shield"],
    "kurdistan_region": ["KRG", "Peshmerga", "Kurdistan"],
    "iraqi_government": ["ISF", "PMF", "Iraqi army", "Iraqi government"],
}


@pytest.mark.parametrize(("fid", "alias"), [(f, a) for f, al in REQUIRED_ALIASES.items() for a in al])
def test_required_aliases_resolve(fid: str, alias: str) -> None:
    assert registry().resolve(alias) == fid


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("  daesh ", "islamic_state"),
        ("Da'ish", "islamic_state"),
        ("AL NUSRA", "hts"),
        ("Jabhat Fatéh al-Shâm", "hts"),
        ("turkish backed", "turkey_backed"),
        ("sdf", "sdf"),
    ],
)
def test_matching_ignores_case_accents_punctuation(text: str, fid: str) -> None:
    assert registry().resolve(text) == fid


def test_unknown_names_do_not_resolve() -> None:
    assert registry().resolve("Jaysh al-Fatah Brigade 77") is None
    assert registry().resolve(None) is None
    assert registry().resolve(3) is None


def test_closest_suggests_the_nearest_ids() -> None:
    assert registry().closest("Syrian govt")[0] == "syrian_government"
    assert registry().closest("Islamic Stat")[0] == "islamic_state"


def test_every_faction_has_two_distinct_hex_colours() -> None:
    reg = registry()
    hexcol = re.compile(r"^#[0-9a-f]{6}$")
    default = [reg.colour(f) for f in reg.ids]
    cb = [reg.colour(f, "colorblind") for f in reg.ids]
    assert all(hexcol.match(c) for c in default + cb)
    assert len(set(default)) == len(default)
    assert len(set(cb)) == len(cb)
    assert reg.colour("syrian_government").startswith("#e")  # red, Wikipedia convention
    assert reg.colour(NO_DATA)


def test_statuses_and_no_data() -> None:
    reg = registry()
    assert reg.resolve_status("Contested") == "contested"
    assert reg.resolve_status("truce") == "mixed"
    assert reg.resolve_status("held") == "control"
    assert reg.resolve_status("burning") is None
    assert reg.resolve("No data") == NO_DATA


@given(st.text())
def test_normalise_is_idempotent_and_resolve_total(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once
    result = registry().resolve(text)
    assert result is None or result in (*registry().ids, NO_DATA)

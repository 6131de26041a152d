"""Bulk generation of a large fictional directory for the benchmark (Core executemany, no ORM).

Rows are inserted with explicit ids so relations can be built without reading back; provenance
columns are filled as the hub would (origin, version 1, updated_at, change_seq in insert order) and
the change_seq counter and PostgreSQL id sequences are moved past what was written. On SQLite the
FTS5 tables follow through the migration's triggers; on PostgreSQL the `search` column is generated.
"""

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text, update

from hub.db import utcnow
from hub.directory import models as m
from hub.directory import taxonomy
from hub.provenance import CHANGE_SEQ, Counter
from hub.settings import get_settings

STATE = "ZZ"
OTHER_STATE = "YY"


@dataclass(frozen=True)
class Sizes:
    """How much to generate."""

    districts: int
    programs: int
    contacts: int
    regions: int
    providers: int


FULL = Sizes(districts=1_000, programs=10_000, contacts=20_000, regions=20, providers=250)
SMOKE = Sizes(districts=20, programs=300, contacts=60, regions=3, providers=12)


@dataclass(frozen=True)
class Generated:
    """What was written, and the look-ups the load needs (district NCES ids, topic slugs)."""

    counts: dict[str, int]
    seconds: float
    district_nces_ids: list[str]
    topics: list[str]


_ADJ = (
    "Safe", "Ready", "Resilient", "Connected", "Caring", "Prepared", "Secure", "Healthy",
    "Inclusive", "Responsive", "Trauma-Aware", "Community", "Statewide", "Rural", "Coastal",
)  # fmt: skip
_NOUN = (
    "Schools", "Campuses", "Classrooms", "Students", "Families", "Teams", "Communities",
    "Districts", "Responders", "Leaders", "Educators", "Partners",
)  # fmt: skip
_KIND = (
    "Training", "Toolkit", "Workshop", "Program", "Institute", "Academy", "Network",
    "Course", "Assessment", "Clinic", "Series", "Initiative",
)  # fmt: skip
_VOCABULARY_TEXT = (
    "threat assessment teams review concerning behavior and connect students with support "
    "emergency operations plans cover lockdown evacuation shelter reunification and recovery "
    "drills exercises tabletop scenarios first responders incident command communication "
    "mental health counselors referral pathways suicide prevention bullying harassment climate "
    "anonymous reporting tips social media cyber security privacy vulnerability assessment "
    "restorative practices trauma informed care social emotional learning family engagement"
)
_WORDS = _VOCABULARY_TEXT.split()
_PLACES = (
    "Cedar", "Maple", "Pine", "River", "Lake", "Prairie", "Granite", "Willow", "Aspen", "Harbor",
    "Summit", "Valley", "Meadow", "Canyon", "Ridge", "Forest", "Clear", "Silver", "North", "South",
)  # fmt: skip
_FIRST = ("Ana", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kim")
_LAST = ("Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones")
_SOURCES = ("What Works Clearinghouse", "Blueprints", "CrimeSolutions", "State review panel")


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _terms(conn: Connection) -> dict[str, dict[str, int]]:
    ids: dict[str, dict[str, int]] = {}
    for vocabulary, slug, term_id in conn.execute(
        select(m.Term.vocabulary, m.Term.slug, m.Term.id).where(m.Term.retired.is_(False))
    ):
        ids.setdefault(vocabulary, {})[slug] = term_id
    return ids


class _Stamper:
    """Provenance values for consecutive rows: local origin, version 1, rising change_seq."""

    def __init__(self) -> None:
        self.seq = 0
        self.now = utcnow()
        self.origin = get_settings().center_slug

    def __call__(self, kind: str, number: int, *, deleted: bool = False) -> dict[str, Any]:
        self.seq += 1
        return {
            "origin_center": self.origin,
            "origin_id": f"bench-{kind}-{number}",
            "version": 1,
            "updated_at": self.now,
            "deleted": deleted,
            "change_seq": self.seq,
        }


def _insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    if rows:
        conn.execute(insert(table), list(rows))
    return len(rows)


def generate(engine: Engine, sizes: Sizes, *, seed: int = 7) -> Generated:
    """Fill a freshly migrated, empty database; returns counts and the values queries use."""
    rng = random.Random(seed)
    started = time.perf_counter()
    stamp = _Stamper()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        terms = _terms(conn)
        topic_ids = terms["topics"]
        regions = [
            {"id": i, "state": STATE, "code": f"R{i:02d}", "name": f"{_PLACES[i % 20]} Region {i}"}
            for i in range(1, sizes.regions + 1)
        ]
        counts["regions"] = _insert(conn, m.Region.__table__, regions)

        providers = [
            {
                "id": i,
                "name": f"{rng.choice(_PLACES)} {rng.choice(_NOUN)} Institute {i}",
                "kind": rng.choice(("university", "nonprofit", "agency", "center")),
                "website": f"https://provider{i}.example.org",
            }
            for i in range(1, sizes.providers + 1)
        ]
        counts["providers"] = _insert(conn, m.Provider.__table__, providers)

        districts = []
        for i in range(1, sizes.districts + 1):
            county = rng.randrange(1, 60)
            districts.append(
                {
                    "id": i,
                    "nces_id": f"99{i:05d}",
                    "name": f"{rng.choice(_PLACES)} {rng.choice(_PLACES)} School District {i}",
                    "state": STATE,
                    "county_name": f"{_PLACES[county % 20]} County",
                    "county_fips": f"99{county:03d}",
                    "region_id": rng.randrange(1, sizes.regions + 1),
                    "city": f"{rng.choice(_PLACES)}ton",
                    "zip": f"{rng.randrange(10000, 99999)}",
                    "phone": f"+1555{rng.randrange(1000000, 9999999)}",
                    "grade_low": "KG",
                    "grade_high": "12",
                    "charter": rng.random() < 0.05,
                    "enrollment": rng.randrange(80, 40_000),
                    "closed": False,
                    **stamp("district", i),
                }
            )
        counts["districts"] = _insert(conn, m.District.__table__, districts)

        roles = list(terms["contact_roles"])
        contacts = []
        for i in range(1, sizes.contacts + 1):
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            contacts.append(
                {
                    "id": i,
                    "district_id": (i - 1) % sizes.districts + 1,
                    "name": name,
                    "title": rng.choice(("Director", "Coordinator", "Lead", "Officer")),
                    "role": rng.choice(roles),
                    "email": f"contact{i}@district.example.org",
                    "phone": f"+1555{rng.randrange(1000000, 9999999)}",
                    "channels": ["email", "sms"],
                    "available_24x7": rng.random() < 0.2,
                    **stamp("contact", i),
                }
            )
        counts["contacts"] = _insert(conn, m.Contact.__table__, contacts)

        programs: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        ratings: list[dict[str, Any]] = []
        availability: list[dict[str, Any]] = []
        tiers = list(terms["evidence_tiers"].values())
        for i in range(1, sizes.programs + 1):
            title = f"{rng.choice(_ADJ)} {rng.choice(_NOUN)} {rng.choice(_KIND)} {i}"
            programs.append(
                {
                    "id": i,
                    "title": title,
                    "summary": _text(rng, 18),
                    "description": _text(rng, 70),
                    "provider_id": rng.randrange(1, sizes.providers + 1)
                    if rng.random() < 0.9
                    else None,
                    "contact_id": rng.randrange(1, sizes.contacts + 1)
                    if rng.random() < 0.8
                    else None,
                    "free": rng.random() < 0.3,
                    "url": f"https://programs.example.org/{i}",
                    "starts_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)),
                    **stamp("program", i, deleted=rng.random() < 0.02),
                }
            )
            chosen = rng.sample(list(topic_ids.values()), rng.randint(1, 2))
            for vocabulary, low, high in (("phases", 1, 2), ("audiences", 1, 3)):
                chosen += rng.sample(list(terms[vocabulary].values()), rng.randint(low, high))
            chosen.append(rng.choice(list(terms["delivery_modes"].values())))
            tags += [{"program_id": i, "term_id": t} for t in chosen]
            for _ in range(rng.choice((0, 1, 1, 2))):
                ratings.append(
                    {
                        "program_id": i,
                        "tier_id": rng.choice(tiers),
                        "source": rng.choice(_SOURCES),
                        "as_of": date(2025, 1, 1) + timedelta(days=rng.randrange(600)),
                    }
                )
            availability += _availability(rng, i, sizes)
        counts["programs"] = _insert(conn, m.Program.__table__, programs)
        counts["program_terms"] = _insert(conn, m.program_terms, tags)
        counts["evidence_ratings"] = _insert(conn, m.EvidenceRating.__table__, ratings)
        counts["program_availability"] = _insert(
            conn, m.ProgramAvailability.__table__, availability
        )
        _advance_counters(conn, stamp.seq)
    return Generated(
        counts=counts,
        seconds=time.perf_counter() - started,
        district_nces_ids=[d["nces_id"] for d in districts],
        topics=taxonomy.load().slugs("topics"),
    )


def _availability(rng: random.Random, program_id: int, sizes: Sizes) -> list[dict[str, Any]]:
    """40% everywhere, 25% by state (some in another state), 20% by region, 15% by district."""
    draw = rng.random()
    if draw < 0.40:
        return []
    if draw < 0.65:
        state = STATE if rng.random() < 0.8 else OTHER_STATE
        return [{"program_id": program_id, "scope": "state", "code": state}]
    if draw < 0.85:
        codes = rng.sample(range(1, sizes.regions + 1), min(sizes.regions, rng.randint(1, 3)))
        return [{"program_id": program_id, "scope": "region", "code": f"R{c:02d}"} for c in codes]
    picks = rng.sample(range(1, sizes.districts + 1), min(sizes.districts, rng.randint(1, 5)))
    return [{"program_id": program_id, "scope": "district", "code": f"99{d:05d}"} for d in picks]


def _advance_counters(conn: Connection, last_seq: int) -> None:
    """Move change_seq past the rows written and, on PostgreSQL, each id sequence past max(id)."""
    moved = conn.execute(
        update(Counter).where(Counter.name == CHANGE_SEQ).values(value=Counter.value + last_seq)
    ).rowcount
    if not moved:
        conn.execute(insert(Counter).values(name=CHANGE_SEQ, value=last_seq))
    if conn.dialect.name != "postgresql":
        return
    for table in (m.Region, m.Provider, m.District, m.Contact, m.Program, m.EvidenceRating):
        name = table.__tablename__
        top = conn.execute(select(func.max(table.__table__.c.id))).scalar_one()
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": name, "v": top}
        )


def request_mix(generated: Generated, count: int, *, seed: int = 11) -> list[tuple[str, str]]:
    """`count` (topic slug, district NCES id) pairs, the same sequence for every endpoint."""
    rng = random.Random(seed)
    return [
        (rng.choice(generated.topics), rng.choice(generated.district_nces_ids))
        for _ in range(count)
    ]

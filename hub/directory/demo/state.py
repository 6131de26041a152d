"""The fictional state's places and people: regions, counties, districts, schools, contacts."""

import re
from dataclasses import dataclass
from datetime import timedelta
from random import Random

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.directory.demo import places
from hub.directory.models import Center, Contact, District, Region, School, Term
from hub.errors import NotFound
from hub.settings import get_settings

DISTRICTS = 50
CHARTERS = 6
SCHOOLS = 200


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens: for host names and URLs."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class _County:
    name: str
    fips: str
    region: Region
    lat: float
    lon: float
    zip3: str


class StateBuilder:
    """Holds the random source and what was made so far; each step flushes once."""

    def __init__(self, session: Session, rng: Random, state: str) -> None:
        self.session, self.r, self.state = session, rng, state
        self.fips = places.STATE_FIPS.get(state, places.FICTIONAL_FIPS)
        self.terms = {(t.vocabulary, t.slug): t for t in session.scalars(select(Term))}
        settings = get_settings()
        center = session.scalar(select(Center).where(Center.slug == settings.center_slug))
        if center is None:
            raise NotFound(
                f"the local center {settings.center_slug!r} is missing; run hub db upgrade"
            )
        self.center = center
        self.center_name = settings.center_name
        self.regions: list[Region] = []
        self.counties: list[_County] = []
        self.districts: list[District] = []
        self.domains: dict[int, str] = {}
        self.schools: list[School] = []
        self.center_contacts: list[Contact] = []
        self.phone_seq = 0

    @property
    def showcase(self) -> District:
        """The district the demo district user belongs to: the largest regular one."""
        regular = [d for d in self.districts if not d.charter]
        return max(regular, key=lambda d: (d.enrollment or 0, d.nces_id))

    def build(self) -> None:
        self._regions_and_counties()
        self._districts()
        self._schools()
        self._contacts()

    # ---- helpers -------------------------------------------------------------------------

    def phone(self, area: str) -> str:
        """A fictional but valid US number in E.164 (555-0100..0199)."""
        self.phone_seq += 1
        return f"+1{area}5550{100 + self.phone_seq % 100:03d}"

    def person(self) -> tuple[str, str]:
        return self.r.choice(places.FIRST_NAMES), self.r.choice(places.LAST_NAMES)

    def street(self) -> str:
        kind = self.r.choice(places.STREET_KINDS)
        return f"{self.r.randint(100, 4999)} {self.r.choice(places.STREETS)} {kind}"

    def term(self, vocabulary: str, slug: str) -> Term:
        return self.terms[(vocabulary, slug)]

    def tags(self, **vocabularies: list[str] | tuple[str, ...]) -> list[Term]:
        return [self.term(v, s) for v, slugs in vocabularies.items() for s in slugs]

    # ---- geography -----------------------------------------------------------------------

    def _regions_and_counties(self) -> None:
        south, north, west, east = places.BOX
        rows, cols = 2, 3
        for code, name in places.REGIONS:
            self.regions.append(Region(state=self.state, code=code, name=name))
        self.session.add_all(self.regions)
        self.session.flush()
        county_codes = sorted(self.r.sample(range(1, 80), len(places.COUNTIES)))
        for i, name in enumerate(places.COUNTIES):
            cell = i % len(self.regions)
            row, col = divmod(cell, cols)
            lat0 = south + (north - south) * row / rows
            lon0 = west + (east - west) * col / cols
            self.counties.append(
                _County(
                    name=f"{name} County",
                    fips=f"{self.fips}{county_codes[i] * 2 - 1:03d}",
                    region=self.regions[cell],
                    lat=lat0 + self.r.uniform(0.2, (north - south) / rows - 0.2),
                    lon=lon0 + self.r.uniform(0.2, (east - west) / cols - 0.2),
                    zip3=f"{970 + i:03d}",
                )
            )

    def _towns(self, count: int) -> list[str]:
        pairs = [(a, b) for a in places.TOWN_FIRST for b in places.TOWN_SECOND]
        return [a + b for a, b in self.r.sample(pairs, count)]

    def _districts(self) -> None:
        towns = self._towns(DISTRICTS)
        leaids = sorted(self.r.sample(range(10, 3000), DISTRICTS))
        charter_at = set(self.r.sample(range(DISTRICTS), CHARTERS))
        for i, town in enumerate(towns):
            county = self.counties[i % len(self.counties)]
            charter = i in charter_at
            if charter:
                name = self.r.choice(places.CHARTER_NAMES).format(town=town)
                domain = f"{slugify(town)}-academy.example.org"
                low, high = self.r.choice((("KG", "08"), ("06", "12"), ("09", "12"), ("KG", "12")))
            else:
                pattern, abbr = self.r.choice(places.DISTRICT_NAMES)
                name, domain = pattern.format(town=town), f"{slugify(town)}{abbr}.example.org"
                low, high = self.r.choices(
                    (("PK", "12"), ("KG", "12"), ("KG", "08"), ("09", "12")), weights=(6, 4, 1, 1)
                )[0]
            district = District(
                nces_id=f"{self.fips}{leaids[i]:05d}",
                name=name,
                state=self.state,
                county_name=county.name,
                county_fips=county.fips,
                region=county.region,
                street=self.street(),
                city=town,
                zip=f"{county.zip3}{self.r.randint(1, 99):02d}",
                phone=self.phone(self._area(county)),
                website=f"https://www.{domain}",
                grade_low=low,
                grade_high=high,
                charter=charter,
            )
            self.districts.append(district)
            self.domains[i] = domain
        self.session.add_all(self.districts)
        self.session.flush()

    def _area(self, county: _County) -> str:
        return places.AREA_CODES[self.regions.index(county.region) % len(places.AREA_CODES)]

    def _county_of(self, district: District) -> _County:
        return next(c for c in self.counties if c.fips == district.county_fips)

    # ---- schools -------------------------------------------------------------------------

    def _school_counts(self) -> list[int]:
        counts = [1] * len(self.districts)
        regular = [i for i, d in enumerate(self.districts) if not d.charter]
        weights = [self.r.lognormvariate(0, 1.1) for _ in regular]
        for i in self.r.choices(regular, weights=weights, k=SCHOOLS - len(counts)):
            counts[i] += 1
        return counts

    def _levels(self, district: District, n: int) -> list[tuple[str, str, str]]:
        """(level, grade low, grade high) of each of a district's n schools."""
        low, high = district.grade_low or "KG", district.grade_high or "12"
        if district.charter or n == 1:
            level = "High" if low == "09" else "Middle" if low == "06" else "Other"
            level = "Elementary" if (low, high) == ("KG", "08") else level
            return [(level, low, high)]
        if low == "09":
            return [("High", "09", "12")] * n
        if high == "08":
            return [("Elementary", low, "05")] * (n - 1) + [("Middle", "06", "08")]
        if n == 2:
            return [("Elementary", low, "06"), ("High", "07", "12")]
        highs = max(1, round(n * 0.2))
        middles = max(1, round(n * 0.2))
        elementary = [("Elementary", low, "05")] * (n - highs - middles)
        return elementary + [("Middle", "06", "08")] * middles + [("High", "09", "12")] * highs

    def _schools(self) -> None:
        sizes = {"Elementary": (250, 550), "Middle": (400, 850), "High": (600, 1800)}
        for district, n in zip(self.districts, self._school_counts(), strict=True):
            county = self._county_of(district)
            lat = county.lat + self.r.uniform(-0.15, 0.15)
            lon = county.lon + self.r.uniform(-0.15, 0.15)
            names = self.r.sample(places.NAMESAKES, n)
            number = self.r.randint(1, 600)
            enrollment = 0
            high_named = False
            for k, (level, low, high) in enumerate(self._levels(district, n)):
                town = district.city or ""
                if district.charter:
                    name = district.name
                elif n == 1:
                    name = f"{town} School"
                elif level == "High" and not high_named:
                    name, high_named = f"{town} High School", True
                else:
                    suffix = {"Elementary": "Elementary", "Middle": "Middle School"}
                    name = f"{names[k]} {suffix.get(level, 'High School')}"
                number += self.r.randint(1, 40)
                self.schools.append(
                    School(
                        nces_id=f"{district.nces_id}{number:05d}",
                        district_id=district.id,
                        name=name,
                        level=level,
                        street=self.street(),
                        city=town,
                        zip=district.zip,
                        county_name=district.county_name,
                        county_fips=district.county_fips,
                        phone=self.phone(self._area(county)),
                        grade_low=low,
                        grade_high=high,
                        latitude=round(lat + self.r.uniform(-0.05, 0.05), 5),
                        longitude=round(lon + self.r.uniform(-0.05, 0.05), 5),
                    )
                )
                enrollment += self.r.randint(*sizes.get(level, (80, 420)))
            district.enrollment = enrollment
        self.session.add_all(self.schools)
        self.session.flush()

    # ---- contacts ------------------------------------------------------------------------

    def _contact(
        self,
        *,
        role: str,
        title: str,
        domain: str,
        area: str,
        channels: tuple[str, ...],
        always: bool,
        **owner: int | None,
    ) -> Contact:
        first, last = self.person()
        verified = None
        if self.r.random() < 0.7:
            verified = utcnow() - timedelta(days=self.r.randint(1, 300))
        return Contact(
            name=f"{first} {last}",
            title=title,
            role=role,
            email=f"{first}.{last}@{domain}".lower(),
            phone=self.phone(area),
            channels=list(channels),
            available_24x7=always,
            verified_at=verified,
            **owner,
        )

    def _contacts(self) -> None:
        contacts: list[Contact] = []
        by_district: dict[int, list[School]] = {}
        for school in self.schools:
            by_district.setdefault(school.district_id, []).append(school)
        for i, district in enumerate(self.districts):
            area, domain = self._area(self._county_of(district)), self.domains[i]
            schools = by_district[district.id]
            for role, title, channels, always in places.DISTRICT_ROLES:
                if i and not self._has_role(district, role, len(schools)):
                    continue
                contacts.append(
                    self._contact(
                        role=role,
                        title=title,
                        domain=domain,
                        area=area,
                        channels=channels,
                        always=always,
                        district_id=district.id,
                    )
                )
            for school in schools:
                contacts.append(
                    self._contact(
                        role="principal",
                        title="Principal",
                        domain=domain,
                        area=area,
                        channels=("email", "sms"),
                        always=False,
                        district_id=district.id,
                        school_id=school.id,
                    )
                )
                if self.r.random() < {"High": 1.0, "Middle": 0.6}.get(school.level or "", 0.1):
                    agency = f"{(district.county_name or '').removesuffix(' County')} County"
                    contacts.append(
                        self._contact(
                            role="school-resource-officer",
                            title=f"School Resource Officer, {agency} Sheriff's Office",
                            domain=domain,
                            area=area,
                            channels=("sms", "voice"),
                            always=True,
                            district_id=district.id,
                            school_id=school.id,
                        )
                    )
        center_domain = f"{slugify(self.center.slug)}.schoolsafety.example.org"
        for title, always in places.CENTER_STAFF:
            contact = self._contact(
                role="center-staff",
                title=title,
                domain=center_domain,
                area=places.AREA_CODES[0],
                channels=("email", "sms"),
                always=always,
                center_id=self.center.id,
            )
            self.center_contacts.append(contact)
        self.session.add_all(contacts + self.center_contacts)
        self.session.flush()

    def _has_role(self, district: District, role: str, schools: int) -> bool:
        """Small districts and charters have fewer offices; the first district has them all."""
        if role in ("superintendent", "mental-health"):
            return True
        if role == "transportation":
            return not district.charter
        chance = {"safety-director": 0.3, "emergency-manager": 0.5, "it-security": 0.6}
        return schools >= 4 or self.r.random() < chance.get(role, 0.4)

"""NCES Common Core of Data directory files: districts (LEA), schools, and the school geocodes.

Rows are read by header name, validated, then upserted by NCES id in batches with Core
statements (one SELECT, one INSERT and one UPDATE per batch), so a national file streams through
in flat memory. Only the columns a file has are written: the school file does not erase
coordinates that a geocode file gave. Closed districts and schools are marked, never deleted.
NCES's codes for missing values become empty values.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from hub.directory.models import District, School
from hub.directory.schemas import LEAID, NCESSCH, STATE, e164
from hub.ingest.files import CsvRows, Row
from hub.ingest.report import Report
from hub.provenance import stamp_inserts, stamp_updates

BATCH = 1000
# NCES: -1 missing, -2 not applicable, -3 suppressed, -9 not reported; M / N in grade columns.
MISSING = {"", "-1", "-2", "-3", "-9", "M", "N", "Not reported", "Not applicable", "Not available"}
# SY_STATUS / UPDATED_STATUS: 2 closed, 6 inactive (no students this year).
CLOSED_STATUSES = {"2", "6"}
CHARTER_YES = {"yes", "chrtind", "allchrtlea", "1"}
GRADES = {"PK", "KG", "UG", "AE", *(f"{g:02d}" for g in range(1, 14))}
ZIP = re.compile(r"^\d{5}$")
FIPS = re.compile(r"^\d{5}$")
HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)

DISTRICT_REQUIRED = ("LEAID", "LEA_NAME", "ST")
SCHOOL_REQUIRED = ("NCESSCH", "SCH_NAME", "LEAID", "ST")
GEOCODE_REQUIRED = ("NCESSCH", "LAT", "LON")


class RowError(Exception):
    """A row that cannot be imported: the field at fault and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def value(row: Row, column: str) -> str | None:
    """The stripped value, or None where NCES wrote one of its codes for missing."""
    raw = row.values.get(column)
    if raw is None:
        return None
    raw = raw.strip()
    return None if raw in MISSING else raw


def _required(row: Row, column: str) -> str:
    found = value(row, column)
    if found is None:
        raise RowError(column, "is empty")
    return found


def _leaid(row: Row, column: str = "LEAID") -> str:
    found = _required(row, column)
    if not LEAID.match(found):
        hint = " (a spreadsheet may have dropped its leading zero)" if len(found) == 6 else ""
        raise RowError(column, f"a district NCES id is exactly 7 digits, got {found!r}{hint}")
    return found


def _ncessch(row: Row) -> str:
    found = _required(row, "NCESSCH")
    if not NCESSCH.match(found):
        hint = " (a spreadsheet may have dropped its leading zero)" if len(found) == 11 else ""
        raise RowError("NCESSCH", f"a school NCES id is exactly 12 digits, got {found!r}{hint}")
    return found


def _state(row: Row) -> str:
    found = _required(row, "ST").upper()
    if not STATE.match(found):
        raise RowError("ST", f"a state is a two-letter code, got {found!r}")
    return found


def _name(row: Row, column: str) -> str:
    found = _required(row, column)
    if len(found) > 200:
        raise RowError(column, "is longer than 200 characters")
    return found


class Fields:
    """Optional columns of one row: unusable values become None and a warning in the report."""

    def __init__(self, row: Row, report: Report) -> None:
        self.row, self.report = row, report

    def _warn(self, column: str, reason: str) -> None:
        self.report.warn(self.row.line, column, reason)

    def text(self, column: str, limit: int) -> str | None:
        found = value(self.row, column)
        if found is not None and len(found) > limit:
            self._warn(column, f"longer than {limit} characters; left empty")
            return None
        return found

    def phone(self, column: str = "PHONE") -> str | None:
        found = value(self.row, column)
        if found is None:
            return None
        try:
            return e164(found)
        except ValueError as exc:
            self._warn(column, f"{exc}; left empty")
            return None

    def website(self, column: str = "WEBSITE") -> str | None:
        found = value(self.row, column)
        if found is None:
            return None
        url = found if "://" in found else f"http://{found}"
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        if scheme.lower() not in {"http", "https"} or not HOST.match(host) or len(url) > 500:
            self._warn(column, f"not a web address: {found!r}; left empty")
            return None
        return url

    def zip(self, column: str = "LZIP") -> str | None:
        found = value(self.row, column)
        if found is not None and not ZIP.match(found):
            self._warn(column, f"a ZIP code is 5 digits, got {found!r}; left empty")
            return None
        return found

    def grade(self, column: str) -> str | None:
        found = value(self.row, column)
        if found is not None and found.upper() not in GRADES:
            self._warn(column, f"unknown grade {found!r}; left empty")
            return None
        return None if found is None else found.upper()

    def closed(self) -> bool:
        status = value(self.row, "UPDATED_STATUS") or value(self.row, "SY_STATUS")
        return status in CLOSED_STATUSES

    def charter(self) -> bool:
        found = value(self.row, "CHARTER_LEA_TEXT") or value(self.row, "CHARTER_LEA")
        return found is not None and found.lower() in CHARTER_YES

    def number(self, column: str, low: float, high: float) -> float | None:
        found = value(self.row, column)
        if found is None:
            return None
        try:
            number = float(found)
        except ValueError:
            number = float("nan")
        if not low <= number <= high:
            self._warn(column, f"not a number between {low:g} and {high:g}: {found!r}; left empty")
            return None
        return number

    def fips(self, column: str) -> str | None:
        found = value(self.row, column)
        if found is not None and not FIPS.match(found):
            self._warn(column, f"a county FIPS code is 5 digits, got {found!r}; left empty")
            return None
        return found


# column in the file -> model attribute; a column absent from the header is not written.
DISTRICT_COLUMNS = {
    "LEA_NAME": "name",
    "ST": "state",
    "LSTREET1": "street",
    "LCITY": "city",
    "LZIP": "zip",
    "PHONE": "phone",
    "WEBSITE": "website",
    "GSLO": "grade_low",
    "GSHI": "grade_high",
    "CHARTER_LEA": "charter",
    "CHARTER_LEA_TEXT": "charter",
    "SY_STATUS": "closed",
    "UPDATED_STATUS": "closed",
    "CNTY": "county_fips",
    "NMCNTY": "county_name",
}
SCHOOL_COLUMNS = {
    "SCH_NAME": "name",
    "LEAID": "district_id",
    "LSTREET1": "street",
    "LCITY": "city",
    "LZIP": "zip",
    "PHONE": "phone",
    "LEVEL": "level",
    "GSLO": "grade_low",
    "GSHI": "grade_high",
    "SY_STATUS": "closed",
    "UPDATED_STATUS": "closed",
    "CNTY": "county_fips",
    "NMCNTY": "county_name",
    "LAT": "latitude",
    "LON": "longitude",
}


def district_values(row: Row, report: Report) -> tuple[str, dict[str, Any]]:
    """NCES id and model values of a district row; RowError when it cannot be imported."""
    nces_id, name, state = _leaid(row), _name(row, "LEA_NAME"), _state(row)
    f = Fields(row, report)
    return nces_id, {
        "name": name,
        "state": state,
        "street": f.text("LSTREET1", 200),
        "city": f.text("LCITY", 100),
        "zip": f.zip(),
        "phone": f.phone(),
        "website": f.website(),
        "grade_low": f.grade("GSLO"),
        "grade_high": f.grade("GSHI"),
        "charter": f.charter(),
        "closed": f.closed(),
        "county_fips": f.fips("CNTY"),
        "county_name": f.text("NMCNTY", 100),
    }


def school_values(row: Row, report: Report) -> tuple[str, dict[str, Any]]:
    """NCES id and model values of a school row (`district_id` still holds the LEAID)."""
    nces_id, name, leaid, state = _ncessch(row), _name(row, "SCH_NAME"), _leaid(row), _state(row)
    if not nces_id.startswith(leaid):
        raise RowError("NCESSCH", f"{nces_id} does not begin with its district's LEAID {leaid}")
    f = Fields(row, report)
    return nces_id, {
        "name": name,
        "state": state,
        "district_id": leaid,
        "street": f.text("LSTREET1", 200),
        "city": f.text("LCITY", 100),
        "zip": f.zip(),
        "phone": f.phone(),
        "level": f.text("LEVEL", 40),
        "grade_low": f.grade("GSLO"),
        "grade_high": f.grade("GSHI"),
        "closed": f.closed(),
        "county_fips": f.fips("CNTY"),
        "county_name": f.text("NMCNTY", 100),
        "latitude": f.number("LAT", -90, 90),
        "longitude": f.number("LON", -180, 180),
    }


@dataclass
class Pending:
    """A validated row waiting for its batch."""

    line: int
    raw: str
    nces_id: str
    values: dict[str, Any]


class Upserter:
    """Writes batches of rows keyed by nces_id into `table`, counting into the report."""

    def __init__(self, session: Session, table: Table, attributes: set[str], report: Report):
        self.session, self.table, self.report = session, table, report
        self.attributes = sorted(attributes)
        self.resolve: Callable[[list[Pending]], list[Pending]] = lambda batch: batch

    def write(self, batch: list[Pending]) -> None:
        batch = self.resolve(batch)
        if not batch:
            return
        t = self.table
        columns = [t.c.id, t.c.nces_id, t.c.version, *(t.c[a] for a in self.attributes)]
        found = {
            r.nces_id: r
            for r in self.session.execute(
                select(*columns).where(t.c.nces_id.in_([p.nces_id for p in batch]))
            )
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for p in batch:
            wanted = {a: p.values[a] for a in self.attributes}
            current = found.get(p.nces_id)
            if current is None:
                inserts.append({"nces_id": p.nces_id, "origin_id": p.nces_id, **wanted})
            elif any(getattr(current, a) != wanted[a] for a in self.attributes):
                updates.append({"row_id": current.id, "version": current.version, **wanted})
            else:
                self.report.unchanged += 1
        if inserts:
            stamp_inserts(self.session, inserts)
            self.session.execute(t.insert(), inserts)
            self.report.created += len(inserts)
        if updates:
            stamp_updates(self.session, updates)
            stamp = ["version", "updated_at", "change_seq", *self.attributes]
            statement = (
                update(t)
                .where(t.c.id == bindparam("row_id"))
                .values({c: bindparam(c) for c in stamp})
            )
            self.session.connection().execute(statement, updates)
            self.report.updated += len(updates)


def _attributes(header: list[str], columns: dict[str, str], always: set[str]) -> set[str]:
    return always | {attribute for column, attribute in columns.items() if column in header}


def _stream(
    rows: CsvRows,
    report: Report,
    parse: Callable[[Row, Report], tuple[str, dict[str, Any]]],
    state: str | None,
    upserter: Upserter,
    progress: Callable[[int], None],
) -> None:
    seen: dict[str, int] = {}
    batch: list[Pending] = []
    for item in rows:
        if not isinstance(item, Row):
            line, raw, reason = item
            report.reject(line, None, reason, raw=raw)
            continue
        try:
            nces_id, values = parse(item, report)
        except RowError as exc:
            report.reject(item.line, exc.field, exc.reason, raw=item.raw)
            continue
        if state is not None and values["state"] != state:
            report.skipped += 1
            continue
        first = seen.setdefault(nces_id, item.line)
        if first != item.line:
            field = "NCESSCH" if len(nces_id) == 12 else "LEAID"
            report.reject(item.line, field, f"{nces_id} already appears on line {first}", item.raw)
            continue
        batch.append(Pending(item.line, item.raw, nces_id, values))
        if len(batch) >= BATCH:
            upserter.write(batch)
            batch = []
            progress(rows.bytes_read)
    upserter.write(batch)
    progress(rows.bytes_read)


def import_districts(
    session: Session,
    rows: CsvRows,
    report: Report,
    *,
    state: str | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> None:
    """Upsert every district row of an NCES LEA directory file (optionally one state's)."""
    rows.require(DISTRICT_REQUIRED)
    attributes = _attributes(rows.header, DISTRICT_COLUMNS, {"name", "state"})
    upserter = Upserter(session, District.__table__, attributes, report)  # type: ignore[arg-type]
    _stream(rows, report, district_values, state, upserter, progress)


def import_schools(
    session: Session,
    rows: CsvRows,
    report: Report,
    *,
    state: str | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> None:
    """Upsert every school row of an NCES school directory or geocode file.

    A school's LEAID must name a district already in the hub (or earlier in this transaction);
    a row whose district is unknown is rejected.
    """
    rows.require(SCHOOL_REQUIRED)
    attributes = _attributes(rows.header, SCHOOL_COLUMNS, {"name", "district_id"})
    upserter = Upserter(session, School.__table__, attributes, report)  # type: ignore[arg-type]

    def resolve(batch: list[Pending]) -> list[Pending]:
        leaids = {p.values["district_id"] for p in batch}
        query = select(District.nces_id, District.id).where(District.nces_id.in_(leaids))
        ids: dict[str, int] = dict(session.execute(query).all())
        kept = []
        for p in batch:
            district_id = ids.get(p.values["district_id"])
            if district_id is None:
                leaid = p.values["district_id"]
                reason = f"no district with LEAID {leaid}; import the district file first"
                report.reject(p.line, "LEAID", reason, raw=p.raw)
                continue
            p.values["district_id"] = district_id
            kept.append(p)
        return kept

    upserter.resolve = resolve
    _stream(rows, report, school_values, state, upserter, progress)


def import_geocodes(
    session: Session,
    rows: CsvRows,
    report: Report,
    *,
    progress: Callable[[int], None] = lambda _: None,
) -> None:
    """Set coordinates and county of schools already in the hub from an NCES geocode file.

    A geocode row for a school the hub does not have is skipped (the file is national).
    """
    rows.require(GEOCODE_REQUIRED)
    attributes = _attributes(rows.header, SCHOOL_COLUMNS, set()) & {
        "latitude",
        "longitude",
        "county_fips",
        "county_name",
    }
    upserter = Upserter(session, School.__table__, attributes, report)  # type: ignore[arg-type]

    def parse(row: Row, report: Report) -> tuple[str, dict[str, Any]]:
        f = Fields(row, report)
        return _ncessch(row), {
            "state": None,
            "latitude": f.number("LAT", -90, 90),
            "longitude": f.number("LON", -180, 180),
            "county_fips": f.fips("CNTY"),
            "county_name": f.text("NMCNTY", 100),
        }

    def known(batch: list[Pending]) -> list[Pending]:
        have = set(
            session.scalars(
                select(School.nces_id).where(School.nces_id.in_([p.nces_id for p in batch]))
            )
        )
        report.skipped += sum(p.nces_id not in have for p in batch)
        return [p for p in batch if p.nces_id in have]

    upserter.resolve = known
    _stream(rows, report, parse, None, upserter, progress)

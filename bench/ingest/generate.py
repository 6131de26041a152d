"""NCES CCD directory files in the published layouts (every column, unquoted, CRLF optional),
generated for tests and the ingest benchmark. Never stored in the repository."""

import random
from collections.abc import Iterator
from pathlib import Path

# The 2025-26 school directory header, as published (65 columns).
SCHOOL_HEADER = [
    "SCHOOL_YEAR",
    "FIPST",
    "STATENAME",
    "ST",
    "SCH_NAME",
    "LEA_NAME",
    "STATE_AGENCY_NO",
    "UNION",
    "ST_LEAID",
    "LEAID",
    "ST_SCHID",
    "NCESSCH",
    "SCHID",
    "MSTREET1",
    "MSTREET2",
    "MSTREET3",
    "MCITY",
    "MSTATE",
    "MZIP",
    "MZIP4",
    "LSTREET1",
    "LSTREET2",
    "LSTREET3",
    "LCITY",
    "LSTATE",
    "LZIP",
    "LZIP4",
    "PHONE",
    "WEBSITE",
    "SY_STATUS",
    "SY_STATUS_TEXT",
    "UPDATED_STATUS",
    "UPDATED_STATUS_TEXT",
    "EFFECTIVE_DATE",
    "SCH_TYPE_TEXT",
    "SCH_TYPE",
    "RECON_STATUS",
    "OUT_OF_STATE_FLAG",
    "CHARTER_TEXT",
    "CHARTAUTH1",
    "CHARTAUTHN1",
    "CHARTAUTH2",
    "CHARTAUTHN2",
    "NOGRADES",
    "G_PK_OFFERED",
    "G_KG_OFFERED",
    "G_1_OFFERED",
    "G_2_OFFERED",
    "G_3_OFFERED",
    "G_4_OFFERED",
    "G_5_OFFERED",
    "G_6_OFFERED",
    "G_7_OFFERED",
    "G_8_OFFERED",
    "G_9_OFFERED",
    "G_10_OFFERED",
    "G_11_OFFERED",
    "G_12_OFFERED",
    "G_13_OFFERED",
    "G_UG_OFFERED",
    "G_AE_OFFERED",
    "GSLO",
    "GSHI",
    "LEVEL",
    "IGOFFERED",
]
# The LEA directory mirrors it without the school columns, with the LEA ones.
DISTRICT_HEADER = [
    "SCHOOL_YEAR",
    "FIPST",
    "STATENAME",
    "ST",
    "LEA_NAME",
    "STATE_AGENCY_NO",
    "UNION",
    "ST_LEAID",
    "LEAID",
    "MSTREET1",
    "MSTREET2",
    "MSTREET3",
    "MCITY",
    "MSTATE",
    "MZIP",
    "MZIP4",
    "LSTREET1",
    "LSTREET2",
    "LSTREET3",
    "LCITY",
    "LSTATE",
    "LZIP",
    "LZIP4",
    "PHONE",
    "WEBSITE",
    "SY_STATUS",
    "SY_STATUS_TEXT",
    "UPDATED_STATUS",
    "UPDATED_STATUS_TEXT",
    "EFFECTIVE_DATE",
    "LEA_TYPE",
    "LEA_TYPE_TEXT",
    "OUT_OF_STATE_FLAG",
    "CHARTER_LEA",
    "CHARTER_LEA_TEXT",
    "NOGRADES",
    "G_PK_OFFERED",
    "G_KG_OFFERED",
    "G_1_OFFERED",
    "G_2_OFFERED",
    "G_3_OFFERED",
    "G_4_OFFERED",
    "G_5_OFFERED",
    "G_6_OFFERED",
    "G_7_OFFERED",
    "G_8_OFFERED",
    "G_9_OFFERED",
    "G_10_OFFERED",
    "G_11_OFFERED",
    "G_12_OFFERED",
    "G_13_OFFERED",
    "G_UG_OFFERED",
    "G_AE_OFFERED",
    "GSLO",
    "GSHI",
    "LEVEL",
    "IGOFFERED",
    "OPERATIONAL_SCHOOLS",
]
# (FIPS, code, name) of the states the generated files spread over.
STATES = [
    ("01", "AL", "ALABAMA"), ("04", "AZ", "ARIZONA"), ("06", "CA", "CALIFORNIA"),
    ("12", "FL", "FLORIDA"), ("13", "GA", "GEORGIA"), ("17", "IL", "ILLINOIS"),
    ("26", "MI", "MICHIGAN"), ("36", "NY", "NEW YORK"), ("39", "OH", "OHIO"),
    ("48", "TX", "TEXAS"), ("51", "VA", "VIRGINIA"), ("53", "WA", "WASHINGTON"),
]  # fmt: skip
_TOWNS = ("Albertville", "Cedar Falls", "Riverside", "Franklin", "Greenville", "Madison",
          "Springfield", "Clinton", "Fairview", "Georgetown", "Salem", "Ashland")  # fmt: skip
_LEVELS = (("PK", "05", "Elementary"), ("06", "08", "Middle"), ("09", "12", "High"))


def leaid(index: int) -> str:
    """The 7-digit LEAID of the index-th generated district: state FIPS + 5 digits."""
    fips = STATES[index % len(STATES)][0]
    return f"{fips}{index // len(STATES) + 1:05d}"


def district_rows(count: int, *, seed: int = 1) -> Iterator[dict[str, str]]:
    """`count` district rows by column name, spread over STATES."""
    rng = random.Random(seed)
    for i in range(count):
        fips, st, name = STATES[i % len(STATES)]
        town = rng.choice(_TOWNS)
        yield {
            "SCHOOL_YEAR": "2025-2026", "FIPST": fips, "STATENAME": name, "ST": st,
            "LEA_NAME": f"{town} District {i}", "STATE_AGENCY_NO": "01", "ST_LEAID": f"{st}-{i}",
            "LEAID": leaid(i), "MSTREET1": f"PO Box {100 + i % 900}", "MCITY": town,
            "MSTATE": st, "MZIP": f"{35000 + i % 60000:05d}", "LSTREET1": f"{i % 999 + 1} Main St",
            "LCITY": town, "LSTATE": st, "LZIP": f"{35000 + i % 60000:05d}",
            "PHONE": f"(256){200 + i % 700:03d}-{1000 + i % 9000:04d}",
            "WEBSITE": f"http://www.d{i}.k12.example.us", "SY_STATUS": "1",
            "SY_STATUS_TEXT": "Open", "UPDATED_STATUS": "1", "UPDATED_STATUS_TEXT": "Open",
            "EFFECTIVE_DATE": "10/01/2025", "LEA_TYPE": "1",
            "LEA_TYPE_TEXT": "Regular public school district that is NOT a component of a "
            "supervisory union", "OUT_OF_STATE_FLAG": "No", "CHARTER_LEA": "NOTCHR",
            "CHARTER_LEA_TEXT": "No", "NOGRADES": "No", "GSLO": "PK", "GSHI": "12",
            "LEVEL": "Not applicable", "IGOFFERED": "As reported",
            "OPERATIONAL_SCHOOLS": str(rng.randint(1, 40)),
        }  # fmt: skip


def school_rows(count: int, districts: int, *, seed: int = 2) -> Iterator[dict[str, str]]:
    """`count` school rows spread over the first `districts` generated districts."""
    rng = random.Random(seed)
    for i in range(count):
        d = i % districts
        fips, st, name = STATES[d % len(STATES)]
        low, high, level = rng.choice(_LEVELS)
        town = rng.choice(_TOWNS)
        lea = leaid(d)
        yield {
            "SCHOOL_YEAR": "2025-2026", "FIPST": fips, "STATENAME": name, "ST": st,
            "SCH_NAME": f"{town} {level} School {i}", "LEA_NAME": f"District {d}",
            "STATE_AGENCY_NO": "01", "ST_LEAID": f"{st}-{d}", "LEAID": lea,
            "ST_SCHID": f"{st}-{d}-{i}", "NCESSCH": f"{lea}{i // districts:05d}",
            "SCHID": f"{i:07d}", "MSTREET1": f"{i % 999 + 1} School Rd", "MCITY": town,
            "MSTATE": st, "MZIP": "35950", "LSTREET1": f"{i % 999 + 1} School Rd",
            "LCITY": town, "LSTATE": st, "LZIP": "35950",
            "PHONE": f"(256){200 + i % 700:03d}-{1000 + i % 9000:04d}",
            "WEBSITE": "http://www.k12.example.us", "SY_STATUS": "1", "SY_STATUS_TEXT": "Open",
            "UPDATED_STATUS": "1", "UPDATED_STATUS_TEXT": "Open", "EFFECTIVE_DATE": "10/01/2025",
            "SCH_TYPE_TEXT": "Regular School", "SCH_TYPE": "1", "RECON_STATUS": "No",
            "OUT_OF_STATE_FLAG": "No", "CHARTER_TEXT": "No", "NOGRADES": "No",
            "GSLO": low, "GSHI": high, "LEVEL": level, "IGOFFERED": "As reported",
        }  # fmt: skip


def write(
    path: Path,
    header: list[str],
    rows: Iterator[dict[str, str]],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    """Rows as NCES publishes them: a header line, unquoted fields, missing columns empty."""
    with path.open("w", encoding=encoding, newline="") as out:
        out.write(",".join(header) + newline)
        for row in rows:
            out.write(",".join(row.get(c, "") for c in header) + newline)
    return path

"""CAP 1.2 import: examples parse, unsafe XML is refused, warnings become county drafts."""

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from sqlalchemy.orm import Session

from hub.alerts.cap_export import Area, to_cap
from hub.alerts.cap_import import FROM_CAP_CATEGORY, draft_input, import_cap, parse_cap
from hub.alerts.schemas import CAP_CATEGORY
from hub.auth.policy import Principal
from hub.directory import taxonomy
from hub.errors import Conflict, InvalidInput, PermissionDenied
from tests.alerts.cap_fixtures import AUTHOR, EXAMPLES, XSD, alert, county_district

NWS_WARNING = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>urn:oid:2.49.0.1.840.0.5d3c1f.001.1</identifier>
  <sender>w-nws.webmaster@noaa.gov</sender>
  <sent>2026-12-03T09:05:00-05:00</sent>
  <status>{status}</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Winter Storm Warning</event>
    <responseType>{response}</responseType>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>SAME</valueName><value>WSW</value></eventCode>
    <effective>2026-12-03T09:05:00-05:00</effective>
    <expires>2026-12-04T06:00:00-05:00</expires>
    <senderName>NWS Baltimore MD/Washington DC</senderName>
    <headline>Winter Storm Warning issued December 3 at 9:05AM EST until December 4 at 6:00AM
      EST by NWS Baltimore MD/Washington DC</headline>
    <description>* WHAT...Heavy snow. Total accumulations of 8 to 12 inches.</description>
    <instruction>If you must travel, keep an extra flashlight, food, and water in your
      vehicle.</instruction>
    <parameter><valueName>NWSheadline</valueName><value>WINTER STORM WARNING</value></parameter>
    <area>
      <areaDesc>Northern Baltimore; Harford;
        Cecil</areaDesc>
      <polygon>39.72,-76.79 39.72,-75.79 39.36,-75.79 39.36,-76.79 39.72,-76.79</polygon>
      <geocode><valueName>SAME</valueName><value>024005</value></geocode>
      <geocode><valueName>SAME</valueName><value>024025</value></geocode>
      <geocode><valueName>SAME</valueName><value>024015</value></geocode>
      <geocode><valueName>UGC</valueName><value>MDZ011</value></geocode>
    </area>
  </info>
</alert>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&e;</identifier></alert>
"""
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>\n"
)


def warning(*, status: str = "Actual", response: str = "Prepare") -> bytes:
    return NWS_WARNING.format(status=status, response=response).encode()


def geocoded(*codes: tuple[str, str], status: str = "Actual") -> bytes:
    """The warning with its area's geocodes replaced by `codes`."""
    text = NWS_WARNING.format(status=status, response="Monitor")
    start, end = text.index("      <geocode>"), text.index("    </area>")
    geocodes = "".join(
        f"<geocode><valueName>{n}</valueName><value>{v}</value></geocode>" for n, v in codes
    )
    return (text[:start] + geocodes + text[end:]).encode()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_specification_examples_parse(example: Path) -> None:
    parsed = parse_cap(example.read_bytes())
    assert parsed.status == "Actual"
    assert parsed.info is not None
    assert parsed.info.event
    assert parsed.info.language.startswith("en")
    assert parsed.reference == f"{parsed.sender},{parsed.identifier},{parsed.sent.isoformat()}"


def test_the_thunderstorm_example_in_full() -> None:
    parsed = parse_cap((EXAMPLES[0].parent / "v1dot2_appendix_adot2.xml").read_bytes())
    info = parsed.info
    assert info is not None
    assert (parsed.identifier, parsed.sender) == ("KSTO1055887203", "KSTO@NWS.NOAA.GOV")
    assert parsed.sent.isoformat() == "2003-06-17T14:57:00-07:00"
    assert (parsed.msg_type, parsed.scope, parsed.references) == ("Alert", "Public", [])
    assert (info.categories, info.response_types) == (["Met"], ["Shelter"])
    assert (info.urgency, info.severity, info.certainty) == ("Immediate", "Severe", "Observed")
    assert info.expires is not None
    assert info.expires.isoformat() == "2003-06-17T16:00:00-07:00"
    assert info.instruction == "TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES."
    assert info.areas[0].desc.startswith("EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA, ")
    assert info.areas[0].geocodes == [("SAME", "006109"), ("SAME", "006009"), ("SAME", "006003")]


def test_an_update_keeps_its_references_and_a_bilingual_message_gives_the_english_info() -> None:
    update = parse_cap((EXAMPLES[0].parent / "v1dot2_appendix_adot3.xml").read_bytes())
    assert update.msg_type == "Update"
    assert update.references == ["trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00"]
    amber = parse_cap((EXAMPLES[0].parent / "v1dot2_appendix_adot4.xml").read_bytes())
    assert amber.info is not None
    assert amber.info.event == "Child Abduction"


@pytest.mark.parametrize("payload", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtds_and_entities_are_refused(payload: bytes) -> None:
    with pytest.raises(InvalidInput, match="declares a DTD or entities") as caught:
        parse_cap(payload)
    assert "root:" not in caught.value.message  # /etc/passwd is never echoed back


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<alert><unclosed></alert>", "not well-formed XML: mismatched tag"),
        (
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"/>',
            "not a CAP 1.2 message: the document is <alert> in the namespace "
            "urn:oasis:names:tc:emergency:cap:1.1, expected <alert> in "
            "urn:oasis:names:tc:emergency:cap:1.2",
        ),
        (
            warning().replace(b"09:05:00-05:00</sent>", b"14:05:00Z</sent>"),
            "/alert/sent: '2026-12-03T14:05:00Z' is not a CAP time",
        ),
        (
            warning().replace(b"<sender>w-nws.webmaster@noaa.gov</sender>", b""),
            "/alert: Unexpected child with tag 'sent' at position 2. Tag 'cap:sender' expected",
        ),
        (
            warning().replace(b"<category>Met</category>", b"<category>Weather</category>"),
            "/alert/info/category: 'Weather': value must be one of",
        ),
    ],
    ids=["not-xml", "cap-1.1", "z-time", "no-sender", "bad-category"],
)
def test_invalid_messages_are_refused_saying_what_is_wrong(payload: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cap(payload)
    assert message in caught.value.message


def test_every_cap_category_maps_onto_a_hub_category() -> None:
    xsd = fromstring(XSD.read_bytes())
    category = xsd.find(".//{*}element[@name='category']")
    assert category is not None
    enumerated = {e.get("value") for e in category.findall(".//{*}enumeration")}
    assert set(FROM_CAP_CATEGORY) == enumerated
    assert set(FROM_CAP_CATEGORY.values()) <= set(taxonomy.load().slugs("alert_categories"))
    for cap, slug in FROM_CAP_CATEGORY.items():
        if cap in CAP_CATEGORY.values():
            assert CAP_CATEGORY[slug] == cap


def test_a_weather_warning_targets_the_counties_where_the_hub_has_districts(
    session: Session,
) -> None:
    county_district(session, "24005")
    county_district(session, "24025")
    county_district(session, "24025")
    county_district(session, "24015", closed=True)
    county_district(session, "24031")
    data = draft_input(session, parse_cap(warning()))
    assert data.targets.counties == ["24005", "24025"]
    assert data.targets.districts == data.targets.schools == data.targets.roles == []
    assert (data.status, data.scope, data.category, data.event) == (
        "Actual",
        "Public",
        "weather",
        "Winter Storm Warning",
    )
    assert (data.urgency, data.severity, data.certainty) == ("Expected", "Severe", "Likely")
    assert data.response is None
    assert data.headline == (
        "Winter Storm Warning issued December 3 at 9:05AM EST until December 4 at 6:00AM EST "
        "by NWS Baltimore MD/Washington DC"
    )
    assert data.description.startswith("* WHAT...Heavy snow.")
    assert data.expires is not None
    assert data.expires.isoformat() == "2026-12-04T06:00:00-05:00"
    assert data.channels == ["email"]


@pytest.mark.parametrize(
    ("response", "action"),
    [("Shelter", "shelter"), ("Evacuate", "evacuate"), ("AllClear", "all-clear"), ("Avoid", None)],
)
def test_response_types_map_onto_srp_actions(
    session: Session, response: str, action: str | None
) -> None:
    county_district(session, "24005")
    assert draft_input(session, parse_cap(warning(response=response))).response == action


@pytest.mark.parametrize(
    ("codes", "counties", "districts"),
    [
        ((("FIPS6", "024031"),), ["24031"], False),
        ((("FIPS", "24031"),), ["24031"], False),
        ((("UGC", "MDC031"), ("UGC", "MDZ011")), ["24031"], False),
        ((("SAME", "024000"),), ["24005", "24031"], False),
        ((("SAME", "124031"),), ["24031"], False),
        ((("NCES-LEAID", "LEAID"),), [], True),
    ],
    ids=["fips6", "fips", "ugc-county", "same-statewide", "same-part-of-county", "leaid"],
)
def test_geocodes_that_name_counties_and_districts(
    session: Session, codes: tuple[tuple[str, str], ...], counties: list[str], districts: bool
) -> None:
    county_district(session, "24005")
    montgomery = county_district(session, "24031")
    county_district(session, "51013")
    codes = tuple((n, montgomery.nces_id if v == "LEAID" else v) for n, v in codes)
    data = draft_input(session, parse_cap(geocoded(*codes)))
    assert data.targets.counties == counties
    assert data.targets.districts == ([montgomery.nces_id] if districts else [])


def test_a_message_for_places_without_districts_is_refused(session: Session) -> None:
    county_district(session, "24005")
    with pytest.raises(InvalidInput, match="no county or district the hub has") as caught:
        draft_input(session, parse_cap(geocoded(("SAME", "006109"), ("UGC", "CAZ069"))))
    assert "SAME 006109, UGC CAZ069" in caught.value.message
    assert caught.value.field == "targets"


@pytest.mark.parametrize(
    ("status", "expected"), [("Exercise", "Exercise"), ("Test", "Test"), ("System", "Test")]
)
def test_statuses(session: Session, status: str, expected: str) -> None:
    county_district(session, "24005")
    assert draft_input(session, parse_cap(warning(status=status))).status == expected


def test_drafts_acks_and_messages_without_info_are_refused(session: Session) -> None:
    county_district(session, "24005")
    with pytest.raises(InvalidInput, match="a CAP Draft message is not meant to be acted on"):
        draft_input(session, parse_cap(warning(status="Draft")))
    ack = warning().replace(b"<msgType>Alert", b"<msgType>Ack")
    with pytest.raises(InvalidInput, match="Ack message answers another message"):
        draft_input(session, parse_cap(ack))
    text = NWS_WARNING.format(status="Actual", response="Monitor")
    bare = (text[: text.index("  <info>")] + "</alert>").encode()
    with pytest.raises(InvalidInput, match="no <info> block"):
        draft_input(session, parse_cap(bare))


def test_long_text_is_cut_to_what_the_hub_takes(session: Session) -> None:
    county_district(session, "24005")
    long = warning().replace(b"* WHAT...", b"* WHAT..." + b"snow " * 1200)
    data = draft_input(session, parse_cap(long))
    assert len(data.description) == 5000
    assert data.description.endswith("…")
    assert len(data.headline) <= 160


def test_a_partner_hubs_exercise_comes_back_as_it_was_sent(session: Session) -> None:
    district = county_district(session, "24005")
    sent = alert(
        status="Exercise",
        scope="Restricted",
        category="cyber",
        response="lockdown",
        headline="Lockdown drill",
    )
    areas = [Area("Baltimore County", ["24005"]), Area(district.name, leaids=[district.nces_id])]
    data = draft_input(session, parse_cap(to_cap(sent, references=[], areas=areas)))
    assert (data.status, data.scope, data.category, data.response) == (
        "Exercise",
        "Restricted",
        "cyber",
        "lockdown",
    )
    assert data.headline == "Lockdown drill"
    assert (data.targets.counties, data.targets.districts) == (["24005"], [district.nces_id])


def test_import_cap_makes_a_draft_once(session: Session) -> None:
    county_district(session, "24005")
    draft = import_cap(session, AUTHOR, warning())
    assert (draft.state, draft.author, draft.msg_type) == ("draft", AUTHOR.username, "Alert")
    assert draft.source == "w-nws.webmaster@noaa.gov,urn:oid:2.49.0.1.840.0.5d3c1f.001.1," + (
        "2026-12-03T09:05:00-05:00"
    )
    assert draft.targets["counties"] == ["24005"]
    with pytest.raises(Conflict, match=f"imported already, as alert {draft.id}"):
        import_cap(session, AUTHOR, warning())


def test_import_cap_needs_an_author(session: Session) -> None:
    viewer = Principal(user_id=42, username="viewer", role="viewer")
    with pytest.raises(PermissionDenied):
        import_cap(session, viewer, warning())

"""The migrated schema is usable on both databases and provenance is stamped at flush."""

from sqlalchemy.orm import Session

from hub.directory.models import District


def test_provenance_stamped_on_insert_and_update(session: Session) -> None:
    d = District(nces_id="0100001", name="Alpha", state="ZZ")
    session.add(d)
    session.flush()
    first_seq = d.change_seq
    assert (d.origin_center, d.version, d.deleted) == ("state", 1, False)
    assert d.origin_id
    assert first_seq > 0
    d.name = "Alpha Unified"
    session.flush()
    assert d.version == 2
    assert d.change_seq > first_seq

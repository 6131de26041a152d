"""DataLoaders, one per relation, made per request: each batch is one call to a service batch
function, so a page of N records costs the same number of SQL statements as a page of one.

Names follow `<Result>By<Key>Loader`. The contract has no batch reads by NCES id or of programs
and practices by id or by origin (needed by federation's `_entities`); those small reads live here.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from hub.alerts import reads as alert_reads
from hub.auth.policy import Principal
from hub.directory import service as directory
from hub.directory.models import (
    Center,
    Contact,
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    Region,
    School,
    Term,
)

K = TypeVar("K")
V = TypeVar("V")


class SessionLoader(DataLoader[K, V], ABC, Generic[K, V]):
    """A DataLoader whose batch function takes the request's session and the keys."""

    def __init__(self, session: Session) -> None:
        async def load(keys: list[K]) -> list[V]:
            return self.fetch(session, keys)

        super().__init__(load_fn=load)

    @abstractmethod
    def fetch(self, session: Session, keys: Sequence[K]) -> list[V]:
        """One SQL statement for all `keys`, results aligned with them."""


Origin = tuple[str, str]
"""(origin_center, origin_id): a shared record's name on every hub."""


def _programs_by_ids(session: Session, ids: Sequence[int]) -> list[Program | None]:
    rows = {p.id: p for p in session.scalars(select(Program).where(Program.id.in_(ids)))}
    return [rows.get(i) for i in ids]


def _programs_by_origins(session: Session, keys: Sequence[Origin]) -> list[Program | None]:
    origin = tuple_(Program.origin_center, Program.origin_id)
    rows = {
        (p.origin_center, p.origin_id): p
        for p in session.scalars(select(Program).where(origin.in_(keys)))
    }
    return [rows.get(k) for k in keys]


def _visible_practices(
    session: Session, principal: Principal, where: ColumnElement[bool]
) -> list[Practice]:
    """Practices matching `where` that `principal` may see, by the service's own rule: get_practice
    finds each row in the session's identity map, where the one SELECT just put it (no more SQL)."""
    found = session.scalars(select(Practice).where(where)).all()
    return [p for p in found if directory.get_practice(session, principal, practice_id=p.id)]


def _districts_by_nces_ids(session: Session, ids: Sequence[str]) -> list[District | None]:
    found = session.scalars(select(District).where(District.nces_id.in_(ids)))
    rows = {d.nces_id: d for d in found}
    return [rows.get(i) for i in ids]


def _schools_by_nces_ids(session: Session, ids: Sequence[str]) -> list[School | None]:
    rows = {s.nces_id: s for s in session.scalars(select(School).where(School.nces_id.in_(ids)))}
    return [rows.get(i) for i in ids]


class DistrictByIdLoader(SessionLoader[int, District | None]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[District | None]:
        return directory.districts_by_ids(session, keys)


class DistrictByNcesIdLoader(SessionLoader[str, District | None]):
    def fetch(self, session: Session, keys: Sequence[str]) -> list[District | None]:
        return _districts_by_nces_ids(session, keys)


class RegionByIdLoader(SessionLoader[int, Region | None]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[Region | None]:
        return directory.regions_by_ids(session, keys)


class SchoolByIdLoader(SessionLoader[int, School | None]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[School | None]:
        return directory.schools_by_ids(session, keys)


class SchoolByNcesIdLoader(SessionLoader[str, School | None]):
    def fetch(self, session: Session, keys: Sequence[str]) -> list[School | None]:
        return _schools_by_nces_ids(session, keys)


class SchoolsByDistrictIdLoader(SessionLoader[int, list[School]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[School]]:
        return directory.schools_by_district_ids(session, keys)


class ProviderByIdLoader(SessionLoader[int, Provider | None]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[Provider | None]:
        return directory.providers_by_ids(session, keys)


class ContactByIdLoader(SessionLoader[int, Contact | None]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[Contact | None]:
        return directory.contacts_by_ids(session, keys)


class ContactsByDistrictIdLoader(SessionLoader[int, list[Contact]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[Contact]]:
        return directory.contacts_by_district_ids(session, keys)


class ContactsBySchoolIdLoader(SessionLoader[int, list[Contact]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[Contact]]:
        return directory.contacts_by_school_ids(session, keys)


class ContactsByCenterIdLoader(SessionLoader[int, list[Contact]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[Contact]]:
        return directory.contacts_by_center_ids(session, keys)


class TermsByProgramIdLoader(SessionLoader[int, list[Term]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[Term]]:
        return directory.terms_by_program_ids(session, keys)


class TermsByPracticeIdLoader(SessionLoader[int, list[Term]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[Term]]:
        return directory.terms_by_practice_ids(session, keys)


class RatingsByProgramIdLoader(SessionLoader[int, list[EvidenceRating]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[EvidenceRating]]:
        return directory.ratings_by_program_ids(session, keys)


class RatingsByPracticeIdLoader(SessionLoader[int, list[EvidenceRating]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[EvidenceRating]]:
        return directory.ratings_by_practice_ids(session, keys)


class AvailabilityByProgramIdLoader(SessionLoader[int, list[ProgramAvailability]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[ProgramAvailability]]:
        return directory.availability_by_program_ids(session, keys)


class CenterBySlugLoader(SessionLoader[str, Center | None]):
    def fetch(self, session: Session, keys: Sequence[str]) -> list[Center | None]:
        return directory.centers_by_slugs(session, keys)


class ProgramByIdLoader(SessionLoader[int, Program | None]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[Program | None]:
        return _programs_by_ids(session, keys)


class ProgramByOriginLoader(SessionLoader[Origin, Program | None]):
    def fetch(self, session: Session, keys: Sequence[Origin]) -> list[Program | None]:
        return _programs_by_origins(session, keys)


class _VisiblePracticeLoader(SessionLoader[K, Practice | None], ABC):
    """Only practices the caller may see; the others load as None."""

    def __init__(self, session: Session, principal: Principal) -> None:
        super().__init__(session)
        self.principal = principal


class PracticeByIdLoader(_VisiblePracticeLoader[int]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[Practice | None]:
        found = _visible_practices(session, self.principal, Practice.id.in_(keys))
        rows = {p.id: p for p in found}
        return [rows.get(k) for k in keys]


class PracticeByOriginLoader(_VisiblePracticeLoader[Origin]):
    def fetch(self, session: Session, keys: Sequence[Origin]) -> list[Practice | None]:
        origin = tuple_(Practice.origin_center, Practice.origin_id)
        found = _visible_practices(session, self.principal, origin.in_(keys))
        rows = {(p.origin_center, p.origin_id): p for p in found}
        return [rows.get(k) for k in keys]


class DeliveryStatsByAlertIdLoader(SessionLoader[int, list[alert_reads.StatusCount]]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[list[alert_reads.StatusCount]]:
        found = alert_reads.delivery_stats(session, list(keys))
        return [found[k] for k in keys]


class AckRollupByAlertIdLoader(SessionLoader[int, alert_reads.AckRollup]):
    def fetch(self, session: Session, keys: Sequence[int]) -> list[alert_reads.AckRollup]:
        found = alert_reads.ack_rollups(session, list(keys))
        return [found[k] for k in keys]


class Loaders:
    """Every DataLoader of one request, made when the request's context is."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.district_by_id_loader = DistrictByIdLoader(session)
        self.district_by_nces_id_loader = DistrictByNcesIdLoader(session)
        self.region_by_id_loader = RegionByIdLoader(session)
        self.school_by_id_loader = SchoolByIdLoader(session)
        self.school_by_nces_id_loader = SchoolByNcesIdLoader(session)
        self.schools_by_district_id_loader = SchoolsByDistrictIdLoader(session)
        self.provider_by_id_loader = ProviderByIdLoader(session)
        self.contact_by_id_loader = ContactByIdLoader(session)
        self.contacts_by_district_id_loader = ContactsByDistrictIdLoader(session)
        self.contacts_by_school_id_loader = ContactsBySchoolIdLoader(session)
        self.contacts_by_center_id_loader = ContactsByCenterIdLoader(session)
        self.terms_by_program_id_loader = TermsByProgramIdLoader(session)
        self.terms_by_practice_id_loader = TermsByPracticeIdLoader(session)
        self.ratings_by_program_id_loader = RatingsByProgramIdLoader(session)
        self.ratings_by_practice_id_loader = RatingsByPracticeIdLoader(session)
        self.availability_by_program_id_loader = AvailabilityByProgramIdLoader(session)
        self.center_by_slug_loader = CenterBySlugLoader(session)
        self.program_by_id_loader = ProgramByIdLoader(session)
        self.program_by_origin_loader = ProgramByOriginLoader(session)
        self.practice_by_id_loader = PracticeByIdLoader(session, principal)
        self.practice_by_origin_loader = PracticeByOriginLoader(session, principal)
        self.delivery_stats_by_alert_id_loader = DeliveryStatsByAlertIdLoader(session)
        self.ack_rollup_by_alert_id_loader = AckRollupByAlertIdLoader(session)

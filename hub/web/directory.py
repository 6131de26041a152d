"""The directory pages: program and practice search, a program's and a practice's page, and a
district's page (its schools, the programs open to it, its contacts). The district's own contact
editing lives in hub.web.directory_contacts and is included here.

Every list is a fixed number of statements whatever its length: a page of records, then batch
loads (hub.directory.loaders) for their terms, ratings and providers.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from hub.auth.policy import Action
from hub.deps import SessionProvider
from hub.directory import service as directory
from hub.directory.models import District, Practice, Program
from hub.directory.schemas import PracticeStatus, ProgramFilter
from hub.errors import HubError, NotFound
from hub.graphql.markdown import to_safe_html
from hub.pagination import Page, PageArgs
from hub.settings import Settings
from hub.web import directory_filters as filters
from hub.web import directory_views as views
from hub.web.directory_contacts import contacts_router
from hub.web.pages import Viewer, page, render, viewer

DISTRICT_PROGRAMS = 10

R = TypeVar("R", Program, Practice)


def _search_page(
    v: Viewer,
    session: Session,
    template: str,
    *,
    title: str,
    search: filters.Search,
    found: Page[R] | None,
    cards: Callable[[Session, Sequence[R]], list[views.Card]],
    **values: Any,
) -> Response:
    """A search page: the filters as read (422 with their messages), and the cards of what was
    `found` with a pager (none while a filter is wrong)."""
    return render(
        v,
        template,
        status=422 if search.errors else 200,
        title=title,
        search=search,
        cards=None if found is None else cards(session, found.items),
        pager=None if found is None else filters.pager(search, found),
        **values,
    )


def directory_router(settings: Settings, sessions: SessionProvider) -> APIRouter:
    """GET /programs, /programs/{id}, /practices, /practices/{id}, /districts/{nces_id}, and
    the district contact pages under /districts/{nces_id}/contacts."""
    router = APIRouter()

    @router.get("/programs", include_in_schema=False)
    @page
    def programs(request: Request) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
            search, wanted = filters.read_programs(
                request.query_params, own_district=v.district_nces_id
            )
            found = None
            if wanted is not None:
                try:
                    found = directory.list_programs(session, filter=wanted, page=search.page)
                except HubError as exc:
                    if exc.field != "availableToDistrict":
                        raise
                    search.errors[search.district_param] = (
                        exc.message[:1].upper() + exc.message[1:] + "."
                    )
            return _search_page(
                v,
                session,
                "directory_programs.html",
                title="Programs",
                search=search,
                found=found,
                cards=views.program_cards,
            )

    @router.get("/practices", include_in_schema=False)
    @page
    def practices(request: Request) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
            with_status = v.may(Action.READ_UNPUBLISHED) or v.may(Action.SUBMIT_PRACTICE)
            search, wanted = filters.read_practices(request.query_params, with_status=with_status)
            found = None
            if wanted is not None:
                found = directory.list_practices(
                    session, v.principal, filter=wanted, page=search.page
                )
            return _search_page(
                v,
                session,
                "directory_practices.html",
                title="Practices",
                search=search,
                found=found,
                cards=views.practice_cards,
                published=PracticeStatus.PUBLISHED.value,
            )

    @router.get("/programs/{program_id}", include_in_schema=False)
    @page
    def program_page(request: Request, program_id: int) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
            program = directory.get_program(session, program_id=program_id)
            if program is None:
                raise NotFound(f"There is no program {program_id}.")
            [card] = views.program_cards(session, [program])
            [rows] = directory.availability_by_program_ids(session, [program.id])
            return render(
                v,
                "directory_program.html",
                title=program.title,
                card=card,
                program=program,
                places=views.places(session, rows),
                contact=views.program_contact(session, v.principal, program),
                url=views.safe_url(program.url),
                provider_url=views.safe_url(card.provider.website if card.provider else None),
            )

    @router.get("/practices/{practice_id}", include_in_schema=False)
    @page
    def practice_page(request: Request, practice_id: int) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
            practice = directory.get_practice(session, v.principal, practice_id=practice_id)
            if practice is None:
                raise NotFound(f"There is no practice {practice_id}.")
            [card] = views.practice_cards(session, [practice])
            by = practice.submitted_by_district_id
            return render(
                v,
                "directory_practice.html",
                title=practice.title,
                card=card,
                practice=practice,
                body=Markup(to_safe_html(practice.body)),  # noqa: S704 - sanitised by nh3
                citations=[(c["title"], views.safe_url(c.get("url"))) for c in practice.citations],
                submitted_by=session.get(District, by) if by else None,
                published=PracticeStatus.PUBLISHED.value,
            )

    @router.get("/districts/{nces_id}", include_in_schema=False)
    @page
    def district_page(request: Request, nces_id: str) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
            district = directory.get_district(session, nces_id=nces_id)
            if district is None:
                raise NotFound(f"There is no district with NCES id {nces_id}.")
            [schools] = directory.schools_by_district_ids(session, [district.id])
            [contacts] = directory.contacts_by_district_ids(session, [district.id])
            open_to = directory.list_programs(
                session,
                filter=ProgramFilter(available_to_district=district.nces_id),
                page=PageArgs(first=DISTRICT_PROGRAMS),
            )
            people = views.contact_views(v.principal, contacts, schools)
            confirmed = request.query_params.get("confirmed", "")
            mine = v.district_nces_id == district.nces_id
            return render(
                v,
                "directory_district.html",
                title=district.name,
                district=district,
                region=district.region,
                schools=schools,
                contacts=people,
                details=any(c.details for c in people),
                manage=v.may(Action.MANAGE_CONTACTS, district_id=district.id),
                programs=open_to,
                more_programs=f"/programs?{'mine=1' if mine else 'district=' + district.nces_id}",
                confirmed=int(confirmed) if confirmed.isdigit() else None,
                website=views.safe_url(district.website),
                phone=views.display_phone(district.phone),
                **views.verification(contacts),
            )

    router.include_router(contacts_router(sessions))
    return router

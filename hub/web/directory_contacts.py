"""A district's own contact pages: list and edit its contacts, add one, and confirm they are
current. The policy decides who may (MANAGE_CONTACTS for that district); writes go through
hub.directory.contacts, which checks it again and audits. A form that does not validate comes
back with status 422, the typed values kept and each message beside its field."""

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from hub.auth.policy import Action
from hub.deps import SessionProvider
from hub.directory import service as directory
from hub.directory.models import Contact, District, School
from hub.directory.schemas import ContactInput
from hub.errors import NotFound, PermissionDenied
from hub.web import directory_views as views
from hub.web.directory_filters import field_errors
from hub.web.pages import Viewer, form_post, page, render, see_other, signed_in

CHANNELS = {
    "email": "E-mail",
    "sms": "Text message (SMS)",
    "voice": "Voice call",
    "webhook": "Webhook (signed JSON POST)",
}
NOTICES = {"saved": "Contact saved.", "added": "Contact added."}


@dataclass(slots=True)
class ContactForm:
    """A contact form's values as typed (strings), so a rejected form shows them again."""

    name: str = ""
    title: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    channels: list[str] = field(default_factory=list)
    webhook_url: str = ""
    available_24x7: bool = False
    school: str = ""

    @classmethod
    def of(cls, contact: Contact) -> "ContactForm":
        return cls(
            name=contact.name,
            title=contact.title or "",
            role=contact.role,
            email=contact.email or "",
            phone=contact.phone or "",
            channels=list(contact.channels or []),
            webhook_url=contact.webhook_url or "",
            available_24x7=contact.available_24x7,
        )

    def to_input(self) -> ContactInput:
        """The service's input; raises pydantic's ValidationError on a bad value."""
        return ContactInput.model_validate(
            {
                "name": self.name,
                "title": self.title.strip() or None,
                "role": self.role,
                "email": self.email.strip() or None,
                "phone": self.phone.strip() or None,
                "channels": self.channels,
                "webhook_url": self.webhook_url.strip() or None,
                "available_24x7": self.available_24x7,
            }
        )


def contact_form(
    name: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    channels: Annotated[list[str] | None, Form()] = None,
    webhook_url: Annotated[str, Form()] = "",
    available_24x7: Annotated[str, Form()] = "",
    school: Annotated[str, Form()] = "",
) -> ContactForm:
    """The posted contact form (every field optional here: ContactInput judges them)."""
    return ContactForm(
        name=name,
        title=title,
        role=role,
        email=email,
        phone=phone,
        channels=[c for c in channels or [] if c],
        webhook_url=webhook_url,
        available_24x7=available_24x7 == "1",
        school=school.strip(),
    )


def _errors(exc: ValidationError) -> dict[str, str]:
    """Messages by field; a rule about the whole contact goes beside the field it is about."""
    errors = field_errors(exc, {})
    whole = errors.pop("", None)
    if whole:
        errors.setdefault("role" if "role" in whole else "channels", whole)
    return errors


def _read(form: ContactForm) -> tuple[ContactInput | None, dict[str, str]]:
    """The service's input from a posted form, or None and the messages by field."""
    try:
        return form.to_input(), {}
    except ValidationError as exc:
        return None, _errors(exc)


def _managed(session: Session, v: Viewer, nces_id: str) -> District:
    """The district, if this viewer may manage its contacts (NotFound / PermissionDenied)."""
    district = directory.get_district(session, nces_id=nces_id)
    if district is None:
        raise NotFound(f"There is no district with NCES id {nces_id}.")
    if not v.may(Action.MANAGE_CONTACTS, district_id=district.id):
        raise PermissionDenied(f"You may not manage the contacts of {district.name}.")
    return district


def _contact_of(session: Session, district: District, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted or contact.district_id != district.id:
        raise NotFound(f"{district.name} has no contact {contact_id}.")
    return contact


def _schools(session: Session, district: District) -> list[School]:
    [schools] = directory.schools_by_district_ids(session, [district.id])
    return schools


def _form_page(
    v: Viewer,
    session: Session,
    district: District,
    *,
    contact: Contact | None,
    form: ContactForm,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    """The one-contact page: editing `contact`, or adding one when it is None."""
    schools = _schools(session, district)
    school = next((s for s in schools if contact and s.id == contact.school_id), None)
    base = f"/districts/{district.nces_id}/contacts"
    return render(
        v,
        "directory_contact.html",
        status=status,
        title=f"Edit {contact.name}" if contact else f"Add a contact to {district.name}",
        district=district,
        contact=contact,
        school=school,
        schools=schools,
        form=form,
        errors=errors,
        action=f"{base}/{contact.id}" if contact else f"{base}/new",
        **_choices(),
    )


def _choices() -> dict[str, Any]:
    return {"roles": views.labels("contact_roles"), "channel_labels": CHANNELS}


def contacts_router(sessions: SessionProvider) -> APIRouter:
    """GET /districts/{nces_id}/contacts, POST .../new, POST .../confirm, GET and POST
    .../{contact_id}."""
    router = APIRouter()

    @router.get("/districts/{nces_id}/contacts", include_in_schema=False)
    @page
    def contacts(request: Request, nces_id: str) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            district = _managed(session, v, nces_id)
            schools = _schools(session, district)
            [rows] = directory.contacts_by_district_ids(session, [district.id])
            query = request.query_params
            notice = next((text for flag, text in NOTICES.items() if query.get(flag)), None)
            confirmed = query.get("confirmed", "")
            if confirmed.isdigit():
                notice = f"Confirmed {confirmed} contacts as current."
            return render(
                v,
                "directory_contacts.html",
                title=f"Contacts of {district.name}",
                district=district,
                contacts=views.contact_views(v.principal, rows, schools),
                forms={c.id: ContactForm.of(c) for c in rows},
                new=ContactForm(),
                schools=schools,
                notice=notice,
                **views.verification(rows),
                **_choices(),
            )

    @router.post("/districts/{nces_id}/contacts/new", include_in_schema=False)
    @page
    def add(
        request: Request,
        nces_id: str,
        form: Annotated[ContactForm, Depends(contact_form)],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        with form_post(sessions, request, csrf) as (session, v):
            district = _managed(session, v, nces_id)
            data, errors = _read(form)
            if form.school and form.school not in {s.nces_id for s in _schools(session, district)}:
                errors["school"] = f"Choose one of the schools of {district.name}."
            if data is None or errors:
                return _form_page(
                    v, session, district, contact=None, form=form, errors=errors, status=422
                )
            directory.create_contact(
                session,
                v.principal,
                data=data,
                district_nces_id=None if form.school else district.nces_id,
                school_nces_id=form.school or None,
            )
        return see_other(f"/districts/{nces_id}/contacts?added=1")

    @router.post("/districts/{nces_id}/contacts/confirm", include_in_schema=False)
    @page
    def confirm(
        request: Request,
        nces_id: str,
        csrf: Annotated[str, Form()] = "",
        back: Annotated[str, Form()] = "",
    ) -> Response:
        with form_post(sessions, request, csrf) as (session, v):
            district = _managed(session, v, nces_id)
            count = directory.confirm_contacts(
                session, v.principal, district_nces_id=district.nces_id
            )
        target = f"/districts/{nces_id}" + ("" if back == "district" else "/contacts")
        return see_other(f"{target}?confirmed={count}")

    @router.get("/districts/{nces_id}/contacts/{contact_id:int}", include_in_schema=False)
    @page
    def edit(request: Request, nces_id: str, contact_id: int) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            district = _managed(session, v, nces_id)
            contact = _contact_of(session, district, contact_id)
            form = ContactForm.of(contact)
            return _form_page(v, session, district, contact=contact, form=form, errors={})

    @router.post("/districts/{nces_id}/contacts/{contact_id:int}", include_in_schema=False)
    @page
    def save(
        request: Request,
        nces_id: str,
        contact_id: int,
        form: Annotated[ContactForm, Depends(contact_form)],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        with form_post(sessions, request, csrf) as (session, v):
            district = _managed(session, v, nces_id)
            contact = _contact_of(session, district, contact_id)
            data, errors = _read(form)
            if data is None:
                return _form_page(
                    v, session, district, contact=contact, form=form, errors=errors, status=422
                )
            directory.update_contact(session, v.principal, contact_id=contact.id, data=data)
        return see_other(f"/districts/{nces_id}/contacts?saved=1#contact-{contact_id}")

    return router

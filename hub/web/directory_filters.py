"""The catalog pages' filters read from the query string (plain GET forms, so a search is a
bookmarkable URL), pydantic's complaints turned into messages beside the fields, and the pager.

The filters themselves are hub.directory.schemas' ProgramFilter and PracticeFilter, the same the
GraphQL API validates; nothing here decides what a value may be.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams

from hub.directory import taxonomy
from hub.directory.schemas import PracticeFilter, PracticeStatus, ProgramFilter
from hub.errors import InvalidInput
from hub.pagination import MAX_PAGE, Page, PageArgs, encode_cursor

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_SIZE = 25
LEAID_MESSAGE = "A district NCES id (LEAID) is exactly 7 digits, for example 4100001."
STALE_CURSOR = "This results link is out of date or was mistyped; start the search again."

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Group:
    """A checkbox group: its query parameter, the filter field it fills, its vocabulary."""

    param: str
    field: str
    legend: str
    vocabulary: str


TOPIC = Group("topic", "topics", "Topics", "topics")
PHASE = Group("phase", "phases", "Phases", "phases")
AUDIENCE = Group("audience", "audiences", "Audiences", "audiences")
TIER = Group("tier", "evidence_tiers", "Evidence tier", "evidence_tiers")
MODE = Group("mode", "delivery_modes", "Delivery", "delivery_modes")
STATUS = Group("status", "status", "Review status", "")
PROGRAM_GROUPS = (TOPIC, PHASE, AUDIENCE, TIER, MODE)
PRACTICE_GROUPS = (TOPIC, PHASE, TIER)


@dataclass(frozen=True, slots=True)
class Choice:
    """One checkbox of a group; `child` for a topic under a parent topic."""

    value: str
    label: str
    checked: bool
    child: bool = False


@dataclass(frozen=True, slots=True)
class ChoiceGroup:
    param: str
    legend: str
    choices: list[Choice]

    @property
    def selected(self) -> int:
        return sum(c.checked for c in self.choices)


@dataclass(slots=True)
class Search:
    """A listing's filters as typed, the messages about them, and the slice asked for."""

    params: list[tuple[str, str]]
    values: dict[str, str]
    groups: list[ChoiceGroup]
    errors: dict[str, str] = field(default_factory=dict)
    page: PageArgs = field(default_factory=PageArgs)
    # Which input names the district: the "mine" checkbox or the "district" text field.
    district_param: str = "district"

    @property
    def sizes(self) -> list[int]:
        """The page sizes to offer: the usual ones and the one asked for."""
        return sorted({*PAGE_SIZES, self.page.first})


@dataclass(frozen=True, slots=True)
class Pager:
    """What the result list says about itself and where its previous and next pages are."""

    first: int
    last: int
    total: int
    previous: str | None
    next: str | None


def _choices(group: Group, chosen: list[str]) -> list[Choice]:
    if group is STATUS:
        return [Choice(s.value, s.value.capitalize(), s.value in chosen) for s in PracticeStatus]
    entries = taxonomy.load().entries.get(group.vocabulary, [])
    return [Choice(e.slug, e.label, e.slug in chosen, e.parent is not None) for e in entries]


def field_errors(exc: ValidationError, names: Mapping[str, str]) -> dict[str, str]:
    """Pydantic's errors as {input name: message}; `names` maps model fields to input names,
    and an error of the whole model goes under "" (shown above the form)."""
    out: dict[str, str] = {}
    for error in exc.errors():
        loc = error["loc"]
        key = names.get(str(loc[0]), str(loc[0])) if loc else ""
        out.setdefault(key, _message(error["type"], error.get("ctx") or {}, error["msg"]))
    return out


def _message(kind: str, ctx: dict[str, Any], text: str) -> str:
    """Pydantic's words, except where plainer ones say the same to a person filling a form."""
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This cannot be left empty."
    if kind == "string_too_long":
        return f"Use at most {ctx['max_length']} characters."
    text = text.removeprefix("Value error, ")
    return text[:1].upper() + text[1:]


def _size(raw: str, errors: dict[str, str]) -> int:
    if not raw:
        return DEFAULT_SIZE
    if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE:
        return int(raw)
    errors["size"] = f"Choose between 1 and {MAX_PAGE} results per page."
    return DEFAULT_SIZE


def _read(
    query: QueryParams,
    groups: tuple[Group, ...],
    singles: tuple[str, ...],
    model: type[M],
    data: dict[str, Any],
    names: dict[str, str],
) -> tuple[Search, M | None]:
    """The common part: lists, single values, page size and cursor, then the filter model."""
    params = [(k, v) for k, v in query.multi_items() if v.strip()]
    values = {name: query.get(name, "").strip() for name in (*singles, "size")}
    chosen = {g.param: [v for v in query.getlist(g.param) if v] for g in groups}
    search = Search(
        params=params,
        values=values,
        groups=[ChoiceGroup(g.param, g.legend, _choices(g, chosen[g.param])) for g in groups],
    )
    size = _size(values["size"], search.errors)
    try:
        search.page = PageArgs.from_relay(size, query.get("after") or None)
    except InvalidInput:
        search.errors["after"] = STALE_CURSOR
    data |= {g.field: chosen[g.param] for g in groups}
    data["search"] = values["q"] or None
    names |= {g.field: g.param for g in groups} | {"search": "q"}
    try:
        wanted = model.model_validate(data)
    except ValidationError as exc:
        for name, message in field_errors(exc, names).items():
            search.errors.setdefault(name, message)
        for group in search.groups:
            known = {c.value for c in group.choices}
            unknown = [v for v in chosen[group.param] if v not in known]
            if unknown and group.param in search.errors:
                search.errors[group.param] = (
                    f"{group.legend}: {', '.join(map(repr, unknown))} "
                    f"{'is' if len(unknown) == 1 else 'are'} not among the choices listed."
                )
        return search, None
    return search, (None if search.errors else wanted)


def read_programs(
    query: QueryParams, *, own_district: str | None
) -> tuple[Search, ProgramFilter | None]:
    """The program filter the query asks for (None when something in it is wrong, with the
    messages in Search.errors). A district user's "mine" checkbox stands for their district."""
    singles = ("q", "free", "district", "mine")
    free = query.get("free", "any")
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if free in ("yes", "no"):
        data["free"] = free == "yes"
    elif free not in ("any", ""):
        errors["free"] = "Choose free, paid or either."
    district = query.get("district", "").strip()
    mine = bool(own_district) and query.get("mine") == "1"
    data["available_to_district"] = own_district if mine else district or None
    district_param = "mine" if mine else "district"
    search, wanted = _read(
        query,
        PROGRAM_GROUPS,
        singles,
        ProgramFilter,
        data,
        {"free": "free", "available_to_district": district_param},
    )
    search.district_param = district_param
    if "district" in search.errors:
        search.errors["district"] = LEAID_MESSAGE
    search.errors |= errors
    return search, (None if search.errors else wanted)


def read_practices(
    query: QueryParams, *, with_status: bool
) -> tuple[Search, PracticeFilter | None]:
    """The practice filter the query asks for; the status group only for viewers who can see
    practices that are not published (others see published ones whatever they ask)."""
    groups = (*PRACTICE_GROUPS, STATUS) if with_status else PRACTICE_GROUPS
    return _read(query, groups, ("q",), PracticeFilter, {}, {})


def pager(search: Search, page: Page[Any]) -> Pager:
    """The result count and links to the neighbouring pages, keeping every filter."""
    kept = [(k, v) for k, v in search.params if k != "after"]
    size = search.page.first
    following = None
    if page.has_next:
        following = "?" + urlencode([*kept, ("after", page.cursor(len(page.items) - 1))])
    previous = None
    if page.has_previous:
        start = max(0, page.offset - size)
        back = [("after", encode_cursor(start - 1))] if start > 0 else []
        previous = "?" + urlencode([*kept, *back])
    first = page.offset + 1 if page.items else 0
    return Pager(first, page.offset + len(page.items), page.total, previous, following)

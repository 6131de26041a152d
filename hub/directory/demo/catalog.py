"""The fictional state's catalog: providers, programs and best practices over every topic."""

from datetime import date, timedelta

from hub.directory import taxonomy
from hub.directory.demo import profiles
from hub.directory.demo.practice_texts import PRACTICES, STORIES, STORY_TOPICS
from hub.directory.demo.program_texts import PROGRAMS, ProgramText
from hub.directory.demo.state import StateBuilder, slugify
from hub.directory.models import (
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    Region,
)

REGIONAL_EDITIONS = 7
PILOTS = 4
STORY_PRACTICES = 19
# Tier slug weights for evidence ratings (a program without ratings counts as unrated too).
TIER_WEIGHTS = {"tier-1": 1, "tier-2": 2, "tier-3": 4, "tier-4": 5, "unrated": 1}


class CatalogBuilder:
    """Builds on a finished StateBuilder: its random source, terms, districts and center staff."""

    def __init__(self, state: StateBuilder) -> None:
        self.s, self.r = state, state.r
        self.providers: dict[str, Provider] = {}
        self.tiers = [t for t in taxonomy.load().slugs("evidence_tiers") if t in TIER_WEIGHTS]

    def build(self) -> None:
        self._providers()
        self._programs()
        self._practices()

    def _rating(self) -> EvidenceRating:
        tier = self.r.choices(self.tiers, weights=[TIER_WEIGHTS[t] for t in self.tiers])[0]
        as_of = date(2019, 1, 1) + timedelta(days=self.r.randint(0, 2850))
        review = self.r.randint(1000, 9999)
        url = f"https://evidence.example.org/reviews/{review}" if self.r.random() < 0.7 else None
        return EvidenceRating(
            tier=self.s.term("evidence_tiers", tier),
            source=self.r.choice(profiles.EVIDENCE_SOURCES[tier]),
            as_of=as_of,
            url=url,
        )

    def _providers(self) -> None:
        specs = [("center", self.s.center_name, "center", slugify(self.s.center.slug))]
        specs += [(k, name, kind, host) for k, (name, kind, host) in profiles.PROVIDERS.items()]
        specs += [(f"esr:{r.code}", r.name, "service-region", r.code) for r in self.s.regions]
        for key, name, kind, host in specs:
            self.providers[key] = Provider(
                name=name, kind=kind, website=f"https://{host}.example.org"
            )
        self.s.session.add_all(self.providers.values())
        self.s.session.flush()

    def _programs(self) -> None:
        topics = [t for t in taxonomy.load().slugs("topics") if t in PROGRAMS]
        texts = [(topic, text) for topic in topics for text in PROGRAMS[topic]]
        pilot_at = set(self.r.sample(range(len(texts)), PILOTS))
        programs: list[Program] = []
        for n, (topic, text) in enumerate(texts):
            key = self.r.choice(profiles.PROFILES[topic].providers)
            region = self.r.choice(self.s.regions) if key == "esr" else None
            provider = self.providers[f"esr:{region.code}" if region else key]
            pilot = self.r.sample(self.s.districts, self.r.randint(1, 2)) if n in pilot_at else []
            programs.append(self._program(topic, text, provider, region, pilot))
        for base in self.r.sample(programs, REGIONAL_EDITIONS):
            region = self.r.choice(self.s.regions)
            topic = next(t.slug for t in base.terms if t.vocabulary == "topics")
            text = ProgramText(
                f"{base.title}: {region.name.removesuffix(' Education Service Region')} cohort",
                base.summary,
                tuple(t.slug for t in base.terms if t.vocabulary == "delivery_modes"),
            )
            provider = self.providers[f"esr:{region.code}"]
            programs.append(self._program(topic, text, provider, region, []))
        self.s.session.add_all(programs)
        self.s.session.flush()

    def _availability(
        self, provider: Provider, region: Region | None, pilot: list[District]
    ) -> tuple[list[ProgramAvailability], str]:
        """Where a program is offered, and the sentence that says so in its description."""
        if pilot:
            names = " and ".join(d.name for d in pilot)
            return [
                ProgramAvailability(scope="district", code=d.nces_id) for d in pilot
            ], f"Offered as a pilot to {names} in the 2026-27 school year."
        if region is not None:
            return [
                ProgramAvailability(scope="region", code=region.code)
            ], f"Offered to districts in the {region.name}."
        if provider.kind in ("center", "agency") or self.r.random() < 0.4:
            return [
                ProgramAvailability(scope="state", code=self.s.state)
            ], "Available to every district in the state."
        return [], "Open to schools anywhere."

    def _program(
        self,
        topic: str,
        text: ProgramText,
        provider: Provider,
        region: Region | None,
        pilot: list[District],
    ) -> Program:
        r, profile = self.r, profiles.PROFILES[topic]
        phases = r.sample(profile.phases, r.randint(1, len(profile.phases)))
        audiences = r.sample(profile.audiences, r.randint(1, len(profile.audiences)))
        labels = [self.s.term("audiences", a).label.lower() for a in audiences]
        availability, where = self._availability(provider, region, pilot)
        free = r.random() < 0.65
        modes = _and([profiles.MODE_PHRASES[m] for m in text.modes])
        documents_only = set(text.modes) == {"document"}
        outcome = r.choice(
            profiles.DOCUMENT_OUTCOMES if documents_only else profiles.TRAINING_OUTCOMES
        )
        description = (
            f"{text.summary}\n\n{provider.name} offers it {modes}. It is designed for "
            f"{_and(labels)}. {outcome}\n\n{where}"
        )
        starts_on = ends_on = None
        if "in-person" in text.modes and r.random() < 0.5:
            starts_on = date(2027, 1, 11) + timedelta(days=r.randint(0, 200))
            ends_on = starts_on + timedelta(days=r.randint(60, 240))
        contact = r.choice(self.s.center_contacts) if provider.kind == "center" else None
        return Program(
            title=text.title,
            summary=text.summary,
            description=description,
            provider_id=provider.id,
            contact_id=contact.id if contact else None,
            free=free,
            cost_note=None if free else r.choice(profiles.COST_NOTES),
            url=f"{provider.website}/programs/{slugify(text.title)}",
            starts_on=starts_on,
            ends_on=ends_on,
            terms=self.s.tags(
                topics=[topic], phases=phases, audiences=audiences, delivery_modes=text.modes
            ),
            ratings=[self._rating() for _ in range(r.choice((0, 1, 1, 1, 2)))],
            availability=availability,
        )

    def _practices(self) -> None:
        topics = [t for t in taxonomy.load().slugs("topics") if t in PRACTICES]
        authored = [self._practice(t) for t in topics]
        changed = ("draft", "draft", "approved", "retired")
        for index, status in zip(self.r.sample(range(len(authored)), 4), changed, strict=True):
            authored[index].status = status
            authored[index].deleted = status == "retired"
        districts = self.r.sample(self.s.districts, STORY_PRACTICES)
        stories = [self._story(k % len(STORIES), d) for k, d in enumerate(districts)]
        pending = ("submitted", "submitted", "submitted", "approved")
        for story, status in zip(self.r.sample(stories, 4), pending, strict=True):
            story.status = status
        self.s.session.add_all(authored + stories)
        self.s.session.flush()

    def _citations(self, topic: str) -> list[dict[str, str]]:
        keys = profiles.PROFILES[topic].citations
        return [dict(zip(("title", "url"), profiles.CITATIONS[k], strict=True)) for k in keys]

    def _practice(self, topic: str) -> Practice:
        text, profile = PRACTICES[topic], profiles.PROFILES[topic]
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(text.steps, 1))
        citations = self._citations(topic)
        sources = "\n".join(f"- [{c['title']}]({c['url']})" for c in citations)
        body = (
            f"## Why it matters\n\n{text.summary}\n\n## Steps\n\n{steps}\n\n"
            f"## Sources\n\n{sources}\n"
        )
        return Practice(
            title=text.title,
            summary=text.summary,
            body=body,
            citations=citations,
            status="published",
            terms=self.s.tags(topics=[topic], phases=list(profile.phases)),
            ratings=[self._rating()] if self.r.random() < 0.7 else [],
        )

    def _story(self, index: int, district: District) -> Practice:
        """A practice a district wrote up for its peers, from a template."""
        title, lead = (s.format(district=district.name) for s in STORIES[index])
        topics = STORY_TOPICS[index]
        steps = "\n".join(f"- {step}" for step in PRACTICES[topics[0]].steps)
        body = (
            f"## What we did\n\n{lead}\n\n## What we would tell another district\n\n{steps}\n\n"
            f"## Contact\n\nReach the {district.name} safety office through the hub directory.\n"
        )
        return Practice(
            title=title,
            summary=lead,
            body=body,
            citations=self._citations(topics[0]),
            status="published",
            submitted_by_district_id=district.id,
            terms=self.s.tags(
                topics=list(topics), phases=list(profiles.PROFILES[topics[0]].phases)
            ),
        )


def _and(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]]))

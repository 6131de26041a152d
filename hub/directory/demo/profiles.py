"""Per topic: phases, audiences, usual providers and cited sources of the demo catalog, plus the
providers, sources and notes programs are built from. Slugs are those of schemas/taxonomy.yaml.
"""

from typing import NamedTuple


class TopicProfile(NamedTuple):
    """Who a topic's programs are for, when in the mission they sit, and who usually offers them."""

    phases: tuple[str, ...]
    audiences: tuple[str, ...]
    providers: tuple[str, ...]
    citations: tuple[str, ...]


ADM, TCH, STAFF, MHP, LEO, STU, FAM, COMM = (
    "administrators",
    "teachers",
    "support-staff",
    "mental-health-professionals",
    "law-enforcement",
    "students",
    "families",
    "community-partners",
)

PROFILES: dict[str, TopicProfile] = {
    "emergency-operations-planning": TopicProfile(
        ("prevention", "protection", "mitigation", "response", "recovery"),
        (ADM, COMM),
        ("center", "oem"),
        ("eop-guide", "schoolsafety"),
    ),
    "family-reunification": TopicProfile(
        ("response", "recovery"), (ADM, FAM, COMM), ("center", "esr"), ("srm", "eop-guide")
    ),
    "incident-command": TopicProfile(
        ("response",), (ADM, STAFF, COMM), ("oem", "center"), ("ics", "eop-guide")
    ),
    "continuity-recovery": TopicProfile(
        ("recovery",), (ADM, MHP), ("center", "health"), ("pfa", "eop-guide")
    ),
    "drills-exercises": TopicProfile(
        ("protection", "response"), (ADM, TCH, STAFF), ("center", "esr"), ("drills", "eop-guide")
    ),
    "lockdown-drills": TopicProfile(
        ("protection", "response"), (ADM, TCH, STU), ("center", "police"), ("drills",)
    ),
    "tabletop-exercises": TopicProfile(
        ("protection", "response", "recovery"), (ADM, COMM), ("oem", "center"), ("eop-guide",)
    ),
    "all-hazards-drills": TopicProfile(
        ("protection", "response"), (ADM, STAFF, TCH), ("fire", "oem"), ("eop-guide", "security")
    ),
    "threat-assessment": TopicProfile(
        ("prevention",), (ADM, MHP, LEO), ("center", "university"), ("ntac-2018", "ntac-2019")
    ),
    "bomb-threats": TopicProfile(
        ("prevention", "protection", "response"),
        (ADM, LEO, STAFF),
        ("police", "fire"),
        ("bomb",),
    ),
    "school-based-law-enforcement": TopicProfile(
        ("prevention", "protection"), (ADM, LEO), ("sro-assoc", "police"), ("security",)
    ),
    "sro-training": TopicProfile(
        ("prevention", "protection"), (LEO, ADM), ("sro-assoc", "police"), ("drills",)
    ),
    "sro-mou": TopicProfile(("prevention",), (ADM, LEO), ("center", "sro-assoc"), ("security",)),
    "cyber-security": TopicProfile(
        ("prevention", "protection", "response"), (ADM, STAFF), ("cyber",), ("cisa-k12", "nist")
    ),
    "online-safety": TopicProfile(
        ("prevention",), (STU, FAM, TCH), ("youth", "center"), ("netsmartz",)
    ),
    "social-media-monitoring": TopicProfile(
        ("prevention", "response"), (ADM, LEO), ("center", "police"), ("ntac-2019",)
    ),
    "site-assessment": TopicProfile(
        ("protection", "mitigation"), (ADM, STAFF, LEO), ("center", "police"), ("security",)
    ),
    "campus-security": TopicProfile(
        ("protection", "mitigation"), (ADM, STAFF), ("center", "fire"), ("security",)
    ),
    "cpted": TopicProfile(
        ("prevention", "mitigation"), (ADM, STAFF, COMM), ("university", "center"), ("security",)
    ),
    "bullying-suicide-prevention": TopicProfile(
        ("prevention",), (TCH, MHP, STU, FAM), ("alliance", "health"), ("stopbullying", "suicide")
    ),
    "school-climate": TopicProfile(
        ("prevention",), (ADM, TCH, STU), ("university", "dept-ed"), ("pbis", "schoolsafety")
    ),
    "trauma-informed-care": TopicProfile(
        ("prevention", "recovery"), (TCH, MHP, STAFF), ("alliance", "university"), ("nctsn",)
    ),
    "restorative-practices": TopicProfile(
        ("prevention",), (ADM, TCH, STU), ("youth", "dept-ed"), ("restorative",)
    ),
    "social-emotional-learning": TopicProfile(
        ("prevention",), (TCH, STU, FAM), ("dept-ed", "university"), ("casel",)
    ),
    "mental-health": TopicProfile(
        ("prevention", "recovery"), (MHP, TCH, FAM), ("health", "alliance"), ("suicide", "nctsn")
    ),
    "anonymous-reporting": TopicProfile(
        ("prevention",), (STU, FAM, ADM), ("center",), ("ntac-2019", "schoolsafety")
    ),
    "first-responder-coordination": TopicProfile(
        ("protection", "response"), (ADM, COMM, LEO), ("oem", "police"), ("eop-guide",)
    ),
    "stop-the-bleed": TopicProfile(
        ("response",), (TCH, STAFF, STU), ("trauma", "fire"), ("stop-the-bleed",)
    ),
    "student-involvement": TopicProfile(
        ("prevention",), (STU, ADM), ("youth", "center"), ("schoolsafety",)
    ),
    "public-health": TopicProfile(
        ("prevention", "mitigation", "response"), (ADM, STAFF, FAM), ("health",), ("cdc",)
    ),
}


# key -> (name, kind, website host); "center" is the local center, "esr" a service region.
PROVIDERS: dict[str, tuple[str, str, str]] = {
    "dept-ed": ("State Department of Education, Office of Student Services", "agency", "ode"),
    "oem": ("State Office of Emergency Management", "agency", "oem"),
    "police": ("State Police School Safety Unit", "agency", "police"),
    "fire": ("State Fire Marshal, School Safety Program", "agency", "firemarshal"),
    "health": ("State Health Authority, Behavioral Health Division", "agency", "health"),
    "university": (
        "Cascade State University Center for School Safety Research",
        "university",
        "csu",
    ),
    "alliance": ("Riverbend Community Mental Health Alliance", "nonprofit", "riverbend"),
    "youth": ("Safe Passage Youth Coalition", "nonprofit", "safepassage"),
    "cyber": ("Northstar K-12 Cyber Defense Cooperative", "nonprofit", "northstar"),
    "trauma": ("Lakeshore Regional Trauma Center", "hospital", "lakeshore"),
    "sro-assoc": ("State School Resource Officers Association", "association", "ssroa"),
}

# Real, public sources the demo practices cite.
CITATIONS: dict[str, tuple[str, str]] = {
    "eop-guide": (
        "Guide for Developing High-Quality School Emergency Operations Plans "
        "(U.S. Department of Education et al., 2013)",
        "https://rems.ed.gov/",
    ),
    "schoolsafety": ("SchoolSafety.gov resources", "https://www.schoolsafety.gov/"),
    "srm": ("The Standard Reunification Method", "https://iloveuguys.org/"),
    "ics": ("FEMA Emergency Management Institute: IS-100 and IS-700", "https://training.fema.gov/"),
    "pfa": ("Psychological First Aid for Schools (NCTSN)", "https://www.nctsn.org/"),
    "drills": (
        "Best Practice Considerations for Armed Assailant Drills in Schools (NASP and NASRO)",
        "https://www.nasponline.org/",
    ),
    "ntac-2018": (
        "Enhancing School Safety Using a Threat Assessment Model (U.S. Secret Service NTAC, 2018)",
        "https://www.secretservice.gov/protection/ntac",
    ),
    "ntac-2019": (
        "Protecting America's Schools: An Analysis of Targeted School Violence "
        "(U.S. Secret Service NTAC, 2019)",
        "https://www.secretservice.gov/protection/ntac",
    ),
    "bomb": ("Bomb Threat Guidance (CISA Office for Bombing Prevention)", "https://www.cisa.gov/"),
    "security": ("K-12 School Security Guide (CISA, 3rd edition, 2022)", "https://www.cisa.gov/"),
    "cisa-k12": (
        "Protecting Our Future: Partnering to Safeguard K-12 Organizations from Cybersecurity "
        "Threats (CISA, 2023)",
        "https://www.cisa.gov/",
    ),
    "nist": ("NIST Cybersecurity Framework", "https://www.nist.gov/cyberframework"),
    "netsmartz": (
        "NetSmartz (National Center for Missing & Exploited Children)",
        "https://www.missingkids.org/",
    ),
    "stopbullying": ("StopBullying.gov", "https://www.stopbullying.gov/"),
    "suicide": (
        "Preventing Suicide: A Toolkit for High Schools (SAMHSA, 2012)",
        "https://www.samhsa.gov/",
    ),
    "nctsn": ("National Child Traumatic Stress Network: schools", "https://www.nctsn.org/"),
    "pbis": ("Center on Positive Behavioral Interventions and Supports", "https://www.pbis.org/"),
    "restorative": ("International Institute for Restorative Practices", "https://www.iirp.edu/"),
    "casel": ("CASEL framework for social and emotional learning", "https://casel.org/"),
    "stop-the-bleed": (
        "Stop the Bleed (American College of Surgeons)",
        "https://www.stopthebleed.org/",
    ),
    "cdc": ("CDC guidance for schools and child care", "https://www.cdc.gov/"),
}

# Per evidence tier, the kinds of review that support it (ESSA's definitions: a tier-1 rating
# rests on a randomized trial, tier-2 on a quasi-experiment, and so on).
EVIDENCE_SOURCES = {
    "tier-1": ("Independent randomized controlled trial", "What Works Clearinghouse review"),
    "tier-2": ("Quasi-experimental district comparison study",),
    "tier-3": (
        "Correlational study with statistical controls",
        "Cascade State University Evaluation Lab",
    ),
    "tier-4": ("Program logic model review", "State Center Evidence Review Panel"),
    "unrated": ("Submitted for review; not yet rated",),
}

COST_NOTES = (
    "$45 per participant; scholarships for rural districts",
    "$1,200 per site visit; regional cost share available",
    "$350 per school team",
    "Free for the first cohort, $25 per participant after",
    "$2,500 per district per year",
)

# How a description says each delivery mode, and what follows it.
MODE_PHRASES = {
    "in-person": "in person",
    "virtual-live": "as live online sessions",
    "self-paced": "as a self-paced online course",
    "on-site-assistance": "as on-site technical assistance",
    "document": "as a downloadable guide and templates",
}
TRAINING_OUTCOMES = (
    "Participants leave with a written action plan and a certificate of completion.",
    "Follow-up coaching calls are offered at 30 and 90 days.",
    "Continuing-education hours are available for licensed staff.",
    "Materials are available in English and Spanish.",
)
DOCUMENT_OUTCOMES = (
    "Every template can be adapted and used the same week.",
    "Materials are available in English and Spanish.",
    "Updated each summer to reflect changes in state law.",
)

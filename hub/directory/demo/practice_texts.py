"""Text the demo generator builds best practices from: one per topic, with the steps it takes."""

from typing import NamedTuple


class PracticeText(NamedTuple):
    """A best practice as a reviewer would write it up; the steps become the Markdown body."""

    title: str
    summary: str
    steps: tuple[str, ...]


T = PracticeText

# fmt: off
PRACTICES: dict[str, PracticeText] = {
    "emergency-operations-planning": T(
        "Write the plan with the people who will carry it out",
        "Plans drafted by one administrator fail on the day; a core planning team with "
        "facilities, nursing, counseling, transportation and first responders catches gaps early.",
        ("Name a core planning team and meet monthly during the planning cycle.",
         "Assess threats and hazards for each building before writing any annex.",
         "Write goals and objectives for before, during and after each threat.",
         "Review, train and exercise the plan every year and after every incident."),
    ),
    "family-reunification": T(
        "Practise reunification with families before you need it",
        "Reunification is the longest part of most incidents; schools that drill it with "
        "families release students faster and lose track of fewer children.",
        ("Pick a primary and a secondary site at least a mile apart.",
         "Pre-print request cards and student release forms for every school.",
         "Run one reunification drill a year with volunteer families.",
         "Tell families in advance where and how reunification will happen."),
    ),
    "incident-command": T(
        "Assign incident command roles by position, three deep",
        "When the principal is away the plan still has to work; naming three people for each "
        "role keeps the command structure staffed on any day.",
        ("List every ICS role the school uses and name a primary and two alternates.",
         "Keep role vests and checklists in the main office and one other location.",
         "Train every alternate at least once a year."),
    ),
    "continuity-recovery": T(
        "Plan academic recovery alongside emotional recovery",
        "After a crisis, students need both routines and support; recovery plans that cover "
        "instruction, space and counseling together shorten disruption.",
        ("Identify alternate facilities and remote-learning options in advance.",
         "Agree on counseling surge staff with neighbouring districts.",
         "Set criteria for returning to normal schedules."),
    ),
    "drills-exercises": T(
        "Turn every drill into a corrective action",
        "A drill that is logged but never reviewed teaches little; a short after-action review "
        "with named owners turns drills into improvements.",
        ("Use the same observer checklist for every drill type.",
         "Hold a ten-minute debrief with staff within a day.",
         "Record corrective actions with an owner and a due date.",
         "Check open actions before the next drill."),
    ),
    "lockdown-drills": T(
        "Announce lockdown drills and keep them age-appropriate",
        "Unannounced drills with simulated gunfire harm students without improving response; "
        "announced, calm drills build the same skills.",
        ("Tell students and families that a drill is a drill, before and after.",
         "Never use simulations, actors or sounds of violence with students.",
         "Adapt instructions for young children and students with disabilities.",
         "Offer support to anyone upset by the drill."),
    ),
    "tabletop-exercises": T(
        "Exercise leadership decisions, not just procedures",
        "Tabletop exercises are most useful when they force leaders to decide under uncertainty: "
        "when to close, what to tell families, who speaks.",
        ("Write injects that escalate over time and leave information missing.",
         "Invite the superintendent, communications and partner agencies.",
         "Record every decision and the information it was based on."),
    ),
    "all-hazards-drills": T(
        "Drill the hazards your buildings actually face",
        "Fire drills are universal, but earthquake, tornado, flood and chemical releases vary by "
        "site; drills should follow the hazard assessment.",
        ("Match drill types to the threats and hazards assessment for each building.",
         "Mark refuge areas and shelter-in-place rooms on floor plans.",
         "Include buses, athletics and after-school programs in the drill calendar."),
    ),
    "threat-assessment": T(
        "Build a multidisciplinary threat assessment team in every school",
        "Most attackers showed concerning behavior beforehand; a trained team that gathers "
        "information and intervenes early prevents violence without relying on profiles.",
        ("Include an administrator, a mental health professional and law enforcement.",
         "Set a low threshold for concern and a clear way to report it.",
         "Assess the situation and circumstances, not just the statement.",
         "Manage cases with support plans and follow-up, not only discipline."),
    ),
    "bomb-threats": T(
        "Decide on evacuation with a threat evaluation, not by reflex",
        "Automatic evacuation for every threat can move students toward danger and rewards "
        "hoaxes; a quick structured evaluation supports a better decision.",
        ("Keep a threat call checklist at every phone.",
         "Agree with law enforcement on who evaluates and who decides.",
         "Search evacuation routes and assembly areas before using them."),
    ),
    "school-based-law-enforcement": T(
        "Define security staff duties in writing",
        "Security staff who know what is and is not their job avoid both gaps and overreach.",
        ("Write duty statements that separate supervision from discipline.",
         "Train security staff with administrators, not apart from them.",
         "Review incident data with staff every term."),
    ),
    "sro-training": T(
        "Train school resource officers before they start",
        "Officers trained in adolescent development and de-escalation make fewer arrests for "
        "school discipline matters and build trust with students.",
        ("Require a basic SRO course before assignment.",
         "Add annual training on mental health crises and special education.",
         "Pair new officers with an experienced SRO for a term."),
    ),
    "sro-mou": T(
        "Keep the SRO memorandum of understanding current and public",
        "An MOU that clarifies roles, data sharing and complaint handling prevents confusion "
        "between officers and administrators and builds community trust.",
        ("Separate school discipline from law enforcement matters explicitly.",
         "Define what student information is shared and how.",
         "Review the MOU every year with both signatories and publish it."),
    ),
    "cyber-security": T(
        "Turn on multi-factor authentication for every staff account",
        "Most district breaches start with a stolen password; multi-factor authentication stops "
        "most of them at little cost.",
        ("Start with administrators, finance and student information system accounts.",
         "Keep offline, tested backups of critical systems.",
         "Practise a ransomware response with leadership once a year."),
    ),
    "online-safety": T(
        "Teach online safety with families, not just students",
        "Students spend most of their online time at home; family sessions and take-home "
        "materials extend what classrooms teach.",
        ("Teach age-appropriate lessons on privacy and asking for help.",
         "Host a family evening on apps, gaming and online risks each year.",
         "Tell students and families where to report online harm."),
    ),
    "social-media-monitoring": T(
        "Respond to online threats with a written protocol",
        "Threats posted overnight need a fast, consistent response; a protocol avoids both "
        "over-reaction and missed warnings.",
        ("Preserve the post before anything else.",
         "Notify law enforcement and the threat assessment team at once.",
         "Send families a short, factual message early."),
    ),
    "site-assessment": T(
        "Assess every site yearly and track the fixes",
        "Assessments only help if their findings are acted on; a tracked list of fixes turns a "
        "report into improvements.",
        ("Walk each campus with facilities, an administrator and a first responder.",
         "Rank findings by risk and cost.",
         "Report progress on fixes to the board each year."),
    ),
    "campus-security": T(
        "Funnel visitors through one monitored entrance",
        "A single, monitored entrance with a secure vestibule is among the most effective, "
        "lowest-cost security measures.",
        ("Lock all other exterior doors during the school day.",
         "Check identification for every visitor.",
         "Audit exterior doors daily for propping."),
    ),
    "cpted": T(
        "Design for natural surveillance",
        "Spaces that staff can see without cameras are safer; sight lines, landscaping and "
        "lighting do much of the work.",
        ("Trim shrubs below three feet and trees above seven near buildings.",
         "Light entrances, paths and parking evenly.",
         "Place offices where staff can see the main entrance."),
    ),
    "bullying-suicide-prevention": T(
        "Train every adult as a suicide prevention gatekeeper",
        "Students in crisis tell adults they trust, not only counselors; training all staff to "
        "ask and refer widens the safety net.",
        ("Train all staff, including bus drivers and coaches.",
         "Publish a clear referral path to the school mental health team.",
         "Have a postvention plan ready before it is needed."),
    ),
    "school-climate": T(
        "Measure climate every year and act on the results",
        "A climate survey is a safety tool: belonging and trust predict reporting of threats.",
        ("Survey students, staff and families with the same instrument each year.",
         "Share results with students and ask them what to change.",
         "Choose one or two actions and track them."),
    ),
    "trauma-informed-care": T(
        "Make classrooms predictable for students who have experienced trauma",
        "Predictable routines and calm, consistent adult responses help traumatized students "
        "regulate and learn.",
        ("Post and keep to daily routines.",
         "Warn students ahead of changes, drills and visitors.",
         "Give staff a way to ask for a break."),
    ),
    "restorative-practices": T(
        "Use restorative conferences after serious harm",
        "Conferences that bring together those harmed and responsible reduce repeat incidents "
        "when used alongside, not instead of, safety measures.",
        ("Train facilitators and use a script.",
         "Prepare each participant separately first.",
         "Write and follow up an agreement."),
    ),
    "social-emotional-learning": T(
        "Teach social-emotional skills explicitly and every week",
        "Skills such as managing emotions and solving conflicts are learned through explicit, "
        "regular practice.",
        ("Choose one curriculum and use it school-wide.",
         "Schedule lessons in the timetable.",
         "Model the same language in the hallway and at recess."),
    ),
    "mental-health": T(
        "Map referral pathways to community mental health providers",
        "Schools identify needs they cannot meet alone; agreed pathways with community "
        "providers shorten the time from concern to care.",
        ("List providers by service, language, insurance and wait time.",
         "Agree on consent and information-sharing forms.",
         "Follow up every referral within two weeks."),
    ),
    "anonymous-reporting": T(
        "Close the loop on every anonymous tip",
        "Students keep reporting when they see that tips are acted on; schools should "
        "acknowledge, act and record every tip.",
        ("Assign tip recipients for nights and weekends.",
         "Acknowledge each tip through the reporting system.",
         "Review tip trends with the threat assessment team."),
    ),
    "first-responder-coordination": T(
        "Share site maps with responders before an emergency",
        "Responders arriving at an unfamiliar building lose minutes; shared maps and "
        "walkthroughs save them.",
        ("Produce standardized maps for every building.",
         "Walk each building with police, fire and EMS every year.",
         "Update maps after every renovation."),
    ),
    "stop-the-bleed": T(
        "Place bleeding control kits where staff can reach them in a minute",
        "Uncontrolled bleeding can kill before responders arrive; trained staff with kits close "
        "by can save lives.",
        ("Train staff in bleeding control with local EMS.",
         "Place kits beside AEDs and in high-traffic areas.",
         "Check and restock kits each term."),
    ),
    "student-involvement": T(
        "Give students a real voice in school safety",
        "Students know where and when problems happen; involving them improves plans and "
        "reporting.",
        ("Form a student safety advisory council.",
         "Ask students to review drills and the tip line.",
         "Report back what changed because of their advice."),
    ),
    "public-health": T(
        "Keep naloxone in every secondary school",
        "Overdoses among adolescents have risen; naloxone on site and trained staff save lives.",
        ("Adopt a standing-order policy.",
         "Store naloxone with AEDs and in the nurse's office.",
         "Train staff and include overdose response in drills."),
    ),
}

# A district telling peers how it did something: title and lead, {district} filled in.
STORIES = (
    ("How {district} cut reunification time in half",
     "{district} moved to pre-printed request cards and a two-line release process, and "
     "reduced average reunification time at its annual drill from 94 to 41 minutes."),
    ("What {district} learned from its first threat assessment year",
     "In its first year {district} handled 37 cases with trained teams; most were resolved with "
     "support plans rather than discipline."),
    ("{district}'s approach to announced lockdown drills",
     "{district} replaced unannounced drills with announced, age-appropriate ones and saw "
     "fewer student distress reports with no loss of drill performance."),
    ("A small district's path to multi-factor authentication: {district}",
     "With a two-person IT team, {district} rolled out multi-factor authentication to all "
     "staff in one semester."),
    ("How {district} built its student safety council",
     "{district} invited students from every high school to advise on drills and the tip line; "
     "their suggestions changed two procedures."),
    ("Joint walkthroughs with first responders in {district}",
     "{district} walked every building with police, fire and EMS in one summer and shared "
     "updated maps with all three."),
    ("{district}'s bus evacuation drills on rural routes",
     "{district} runs bus evacuation drills on every route twice a year, including routes "
     "with long stretches far from help."),
    ("Bleeding control kits in every classroom: {district}",
     "{district} trained all staff in bleeding control and placed kits in every classroom "
     "with support from its local trauma center."),
)
# fmt: on

# The topics each story is tagged with, in the same order as STORIES.
STORY_TOPICS = (
    ("family-reunification",),
    ("threat-assessment",),
    ("lockdown-drills",),
    ("cyber-security",),
    ("student-involvement",),
    ("first-responder-coordination",),
    ("all-hazards-drills",),
    ("stop-the-bleed",),
)

"""Text the demo generator builds programs from: per topic, realistic titles and summaries.

Every topic of schemas/taxonomy.yaml has an entry (a test checks it), so the demo catalog covers
the whole vocabulary.
"""

from typing import NamedTuple


class ProgramText(NamedTuple):
    """One program as a catalog editor would describe it; modes are delivery-mode slugs."""

    title: str
    summary: str
    modes: tuple[str, ...]


P = ProgramText
LIVE, ONLINE, SELF, SITE, DOC = (
    "in-person",
    "virtual-live",
    "self-paced",
    "on-site-assistance",
    "document",
)

# fmt: off
PROGRAMS: dict[str, tuple[ProgramText, ...]] = {
    "emergency-operations-planning": (
        P("High-Quality School Emergency Operations Plan Workshop",
          "A two-day workshop that walks school planning teams through the six-step planning "
          "process and leaves each school with a draft all-hazards emergency operations plan.",
          (LIVE,)),
        P("EOP Review and Feedback Service",
          "Center planners review a district's emergency operations plan against state "
          "requirements and return annex-by-annex written feedback within 30 days.", (SITE, DOC)),
        P("Functional Annex Template Library",
          "Editable templates for evacuation, shelter-in-place, lockdown, accounting for all "
          "persons and crisis communications annexes.", (DOC,)),
    ),
    "family-reunification": (
        P("Standard Reunification Method Training",
          "Trains district teams to run a controlled parent-student reunification at an "
          "off-site location after an evacuation.", (LIVE, ONLINE)),
        P("Reunification Drill Kit",
          "Signage, vests, request cards and a facilitator script for a full-scale "
          "reunification drill with families and first responders.", (DOC, SITE)),
        P("Reunification Site Planning Assistance",
          "On-site help choosing primary and secondary reunification sites and mapping traffic "
          "flow, staffing and family check-in.", (SITE,)),
    ),
    "incident-command": (
        P("ICS-100 and IS-700 for School Staff",
          "Introductory Incident Command System and NIMS courses adapted for principals, "
          "front-office staff and custodians.", (SELF, ONLINE)),
        P("School Incident Command Team Tabletop",
          "A facilitated exercise in which a school's incident command team assigns roles and "
          "works a simulated gas leak from first call to all-clear.", (LIVE,)),
        P("ICS Position Checklists for Schools",
          "One-page checklists for incident commander, public information, operations, "
          "logistics and student care roles.", (DOC,)),
    ),
    "continuity-recovery": (
        P("Continuity of Operations Planning for Districts",
          "Guides districts through essential functions, delegations of authority and alternate "
          "facilities so instruction can resume quickly after a disaster.", (ONLINE, DOC)),
        P("Psychological First Aid for School Staff",
          "Prepares staff to support students and colleagues in the hours and days after a "
          "crisis, and to recognize who needs further help.", (LIVE, ONLINE)),
        P("Post-Incident Recovery Planning Toolkit",
          "Checklists for memorials, anniversaries, academic recovery and staff support in the "
          "months after a traumatic event.", (DOC,)),
    ),
    "drills-exercises": (
        P("Annual Drill Calendar and Compliance Tracker",
          "A template calendar and log that keeps required fire, lockdown, earthquake and bus "
          "evacuation drills on schedule and documented.", (DOC,)),
        P("Drill Observer Training",
          "Teaches staff and partner agencies to observe drills with a standard checklist and "
          "to turn findings into corrective actions.", (LIVE, ONLINE)),
        P("After-Action Report and Improvement Plan Template",
          "A short, exercise-program style template for recording what worked, what did not "
          "and who fixes what by when.", (DOC,)),
    ),
    "lockdown-drills": (
        P("Trauma-Informed Lockdown Drill Training",
          "Shows schools how to run announced, age-appropriate lockdown drills without "
          "simulations that frighten students.", (LIVE, ONLINE)),
        P("Options-Based Response Training for Staff",
          "Scenario-based training on lockdown, evacuation and barricade decisions for adults, "
          "with a separate student-appropriate version.", (LIVE,)),
        P("Classroom Lockdown Readiness Walkthrough",
          "A room-by-room check of locks, window coverings, hiding spaces and communication "
          "with the office, done with the school's administrator.", (SITE,)),
    ),
    "tabletop-exercises": (
        P("Superintendent Tabletop Exercise Series",
          "Quarterly facilitated tabletop exercises for district leadership on threats, severe "
          "weather, cyber incidents and reunification.", (ONLINE, LIVE)),
        P("Build-Your-Own Tabletop Exercise Kit",
          "Scenario injects, facilitator guides and evaluation forms so a district can run its "
          "own tabletop exercise.", (DOC,)),
        P("Regional Multi-Agency Tabletop Exercise",
          "An annual exercise that brings districts, police, fire, EMS, public health and "
          "emergency management to one table.", (LIVE,)),
    ),
    "all-hazards-drills": (
        P("Severe Weather Shelter Drill Guide",
          "How to identify best available refuge areas and run tornado and windstorm shelter "
          "drills in every building.", (DOC,)),
        P("Hazardous Materials Shelter-in-Place Training",
          "Training on shutting down ventilation, sealing rooms and communicating during a "
          "chemical release near a school.", (ONLINE,)),
        P("Bus Evacuation Drill Program",
          "Training for drivers and riders on front, rear and side emergency exits, with a drill "
          "log for every route.", (LIVE, DOC)),
    ),
    "threat-assessment": (
        P("Behavioral Threat Assessment Team Training",
          "A two-day course that prepares multidisciplinary school teams to identify, assess "
          "and manage concerning behavior before it leads to violence.", (LIVE, ONLINE)),
        P("Threat Assessment Case Consultation",
          "Center threat assessment specialists consult by phone on active cases within one "
          "business day.", (SITE, ONLINE)),
        P("Threat Assessment Refresher for Existing Teams",
          "A half-day refresher with case studies, documentation practice and updates to state "
          "law for teams trained more than two years ago.", (ONLINE,)),
    ),
    "bomb-threats": (
        P("Bomb Threat Response Planning for Schools",
          "Helps administrators set up threat evaluation, search procedures and evacuation "
          "decisions with local law enforcement.", (LIVE, ONLINE)),
        P("Suspicious Item Recognition Training",
          "Teaches custodial and front-office staff what makes an item suspicious and what to "
          "do, and not do, when they find one.", (SELF,)),
        P("Bomb Threat Call Checklist and Search Kit",
          "A phone-side checklist, zone search maps and a decision worksheet ready to print for "
          "every main office.", (DOC,)),
    ),
    "school-based-law-enforcement": (
        P("School Safety and Security Staff Academy",
          "A week-long academy for non-sworn security staff on supervision, de-escalation, "
          "documentation and working with administrators.", (LIVE,)),
        P("Campus Safety Officer Certification",
          "A state-recognized certificate for district security officers, with annual "
          "continuing-education hours.", (LIVE, SELF)),
        P("School Security Staffing Review",
          "A review of how a district deploys officers and security staff, with options "
          "matched to its size and risks.", (SITE,)),
    ),
    "sro-training": (
        P("Basic School Resource Officer Course",
          "A 40-hour course on the SRO's role, adolescent development, de-escalation, special "
          "education law and school partnerships.", (LIVE,)),
        P("Advanced SRO De-escalation and Youth Crisis Training",
          "Scenario training on mental health crises, disability-related behavior and "
          "alternatives to arrest.", (LIVE,)),
        P("SRO and Administrator Joint Training",
          "Officers and principals train together on roles, information sharing and when a "
          "matter is discipline rather than law enforcement.", (LIVE, ONLINE)),
    ),
    "sro-mou": (
        P("SRO Memorandum of Understanding Template and Review",
          "A model MOU defining the roles of school resource officers and administrators, with "
          "a review of the district's draft by center staff.", (DOC, SITE)),
        P("MOU Development Workshop for Districts and Law Enforcement",
          "District and agency leaders draft their MOU together, covering selection, training, "
          "data, searches and complaints.", (LIVE,)),
        P("Annual SRO Program Review",
          "A yearly review of the SRO program against its MOU, with student and staff feedback "
          "and referral data.", (SITE, DOC)),
    ),
    "cyber-security": (
        P("K-12 Cybersecurity Assessment",
          "An assessment of a district's network, identity and backup practices, with a "
          "prioritized list of fixes.", (SITE, ONLINE)),
        P("Ransomware Tabletop for School IT Teams",
          "A facilitated exercise on detecting, containing and recovering from ransomware, "
          "including communication with families.", (ONLINE,)),
        P("Phishing Awareness Training for Staff",
          "Short self-paced lessons and simulated phishing campaigns that teach staff to spot "
          "and report suspicious e-mail.", (SELF,)),
    ),
    "online-safety": (
        P("Digital Citizenship Curriculum for Grades 3-8",
          "Lessons on privacy, online kindness, misinformation and asking for help, with family "
          "take-home pages.", (DOC,)),
        P("Family Online Safety Night Presenter Kit",
          "Slides, talking points and handouts for a school-hosted evening on apps, gaming and "
          "online risks.", (DOC, LIVE)),
        P("Sextortion Prevention and Response Training",
          "Training for counselors and administrators on recognizing sextortion, supporting "
          "students and reporting to law enforcement.", (ONLINE,)),
    ),
    "social-media-monitoring": (
        P("Social Media Threat Response Protocol",
          "A step-by-step protocol for when a threat against a school appears online, from "
          "preserving evidence to notifying families.", (DOC,)),
        P("Online Threat Triage Training for Administrators",
          "How to assess an online post quickly with law enforcement and the threat assessment "
          "team, and when to act overnight.", (ONLINE,)),
        P("Rumor Control Communications Kit",
          "Message templates and timing guidance for countering rumors about threats during "
          "and after an incident.", (DOC,)),
    ),
    "site-assessment": (
        P("School Safety Site Assessment",
          "A walk-through of grounds, entrances, classrooms and procedures by center assessors, "
          "with a prioritized report.", (SITE,)),
        P("Self-Assessment Tool for Building Administrators",
          "A guided checklist principals complete each year to find and track security and "
          "safety gaps.", (DOC, SELF)),
        P("Threat and Hazard Identification Workshop for Districts",
          "District teams rank their threats and hazards and turn the results into plan "
          "priorities.", (LIVE,)),
    ),
    "campus-security": (
        P("Access Control and Visitor Management Review",
          "A review of entrances, visitor check-in, badges and door practices, with low-cost "
          "improvements first.", (SITE,)),
        P("Classroom Door Lock Guidance",
          "Guidance on interior-locking classroom doors that meet fire and accessibility codes.",
          (DOC,)),
        P("Security Technology Planning Assistance",
          "Helps districts plan cameras, intercoms and alerting systems against their threats "
          "and budget.", (SITE, ONLINE)),
    ),
    "cpted": (
        P("Crime Prevention Through Environmental Design for Schools",
          "A course on natural surveillance, access control and territoriality applied to "
          "school grounds and buildings.", (LIVE, ONLINE)),
        P("CPTED Site Review",
          "Trained reviewers walk a campus with facilities staff and mark design changes that "
          "reduce risk.", (SITE,)),
        P("Natural Surveillance and Lighting Guide",
          "A guide to sight lines, landscaping and exterior lighting for new construction and "
          "renovations.", (DOC,)),
    ),
    "bullying-suicide-prevention": (
        P("Bullying Prevention Coordinator Training",
          "Prepares a building coordinator to run bullying prevention, reporting and "
          "investigation procedures.", (ONLINE, LIVE)),
        P("Suicide Prevention Gatekeeper Training for School Staff",
          "A one-hour training that teaches adults to recognize warning signs, ask directly "
          "about suicide and connect a student to help.", (LIVE, SELF)),
        P("Suicide Postvention Planning Toolkit",
          "Protocols and message templates for responding to a student death in a way that "
          "lowers the risk of contagion.", (DOC,)),
    ),
    "school-climate": (
        P("School Climate Survey and Data Coaching",
          "A validated student, staff and family survey with coaching on reading the results "
          "and choosing actions.", (ONLINE, SITE)),
        P("Positive Behavioral Interventions and Supports Tier 1 Training",
          "Building teams set school-wide expectations, acknowledgment systems and data "
          "routines.", (LIVE,)),
        P("Safe and Welcoming Schools Leadership Series",
          "A four-session series for principals on belonging, supervision and consistent "
          "discipline.", (ONLINE,)),
    ),
    "trauma-informed-care": (
        P("Trauma-Informed Classrooms Training",
          "Teachers learn how trauma affects learning and behavior and practice regulation and "
          "relationship strategies.", (LIVE, ONLINE)),
        P("Trauma-Sensitive School Self-Assessment",
          "A staff self-assessment and planning guide for becoming a trauma-sensitive school.",
          (DOC,)),
        P("Secondary Traumatic Stress Support for Educators",
          "Helps staff recognize secondary traumatic stress and builds peer-support routines.",
          (ONLINE,)),
    ),
    "restorative-practices": (
        P("Restorative Practices Circle Facilitator Training",
          "Staff learn to run community-building and repair circles in classrooms.", (LIVE,)),
        P("Restorative Discipline Policy Review",
          "A review of a district's code of conduct with options for restorative responses.",
          (SITE, DOC)),
        P("Restorative Conference Coaching",
          "Coaching for administrators leading restorative conferences after serious harm.",
          (ONLINE, SITE)),
    ),
    "social-emotional-learning": (
        P("SEL Curriculum Selection Guide",
          "Compares social-emotional learning curricula by grade, cost, evidence and staff "
          "time needed.", (DOC,)),
        P("Adult SEL and Staff Wellness Workshop",
          "A workshop on staff wellness and adult social-emotional skills as the base of "
          "student SEL.", (LIVE, ONLINE)),
        P("Classroom SEL Coaching Cycle",
          "Six weeks of coaching for teachers integrating SEL routines into daily instruction.",
          (SITE,)),
    ),
    "mental-health": (
        P("Youth Mental Health First Aid for School Staff",
          "An eight-hour course on recognizing and responding to mental health and substance "
          "use challenges in adolescents.", (LIVE, ONLINE)),
        P("School-Based Mental Health Referral Pathways",
          "Helps districts map referral pathways to community providers, with consent forms "
          "and follow-up steps.", (SITE, DOC)),
        P("Telehealth Counseling Partnership Guide",
          "How to set up school-based telehealth counseling with a community provider, "
          "including privacy and space.", (DOC,)),
    ),
    "anonymous-reporting": (
        P("Statewide Anonymous Tip Line",
          "A 24/7 app, text, web and phone tip line staffed by trained analysts who route tips "
          "to school teams and law enforcement.", (ONLINE, DOC)),
        P("Tip Line Student Ambassador Program",
          "Student ambassadors promote the tip line and teach peers when and how to report.",
          (LIVE, DOC)),
        P("Tip Line School Team Onboarding",
          "Onboarding for the school team that receives tips: overnight coverage, follow-up and "
          "closing the loop.", (ONLINE,)),
    ),
    "first-responder-coordination": (
        P("First Responder School Mapping Program",
          "Produces standardized, shared floor plans and site maps for police, fire and EMS.",
          (SITE,)),
        P("Joint School and First Responder Walkthroughs",
          "Annual walkthroughs in which responders learn each building's entrances, staging "
          "areas and shut-offs.", (SITE, LIVE)),
        P("Radio Interoperability for School Safety Teams",
          "Connects school radios to responder channels and trains staff on plain-language "
          "radio use.", (SITE, LIVE)),
    ),
    "stop-the-bleed": (
        P("Stop the Bleed Training for School Staff",
          "Hands-on bleeding control training with tourniquets, wound packing and pressure, "
          "taught with local EMS.", (LIVE,)),
        P("Bleeding Control Kit Placement Program",
          "Provides bleeding control kits for classrooms and common areas, with placement "
          "maps and a restocking log.", (DOC, SITE)),
        P("CPR and AED Readiness for Schools",
          "CPR and AED training for staff and a cardiac emergency response plan for every "
          "building.", (LIVE,)),
    ),
    "student-involvement": (
        P("Student Safety Advisory Council Toolkit",
          "How to recruit, run and listen to a student council that advises the district on "
          "safety.", (DOC,)),
        P("Peer Leaders for Safe Schools Training",
          "Trains student leaders to promote help-seeking and connect peers with trusted "
          "adults.", (LIVE,)),
        P("Student-Led Safety Audit",
          "Students walk their school with a checklist and present findings to the principal.",
          (DOC, SITE)),
    ),
    "public-health": (
        P("Infectious Disease Response Planning for Schools",
          "Planning support for outbreaks: reporting, exclusion, cleaning and continuity of "
          "learning.", (ONLINE, DOC)),
        P("Opioid Overdose Response and Naloxone Training",
          "Training staff to recognize an overdose and give naloxone, with a standing-order "
          "policy template.", (LIVE, SELF)),
        P("Extreme Heat and Air Quality Guidance",
          "Thresholds and decision steps for outdoor activity, recess and athletics on hot or "
          "smoky days.", (DOC,)),
    ),
}
# fmt: on

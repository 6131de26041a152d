"""Names and numbers the demo generator draws its fictional state from (all invented)."""

# fmt: off
# USPS code -> state FIPS code; the demo's LEAIDs start with it ("ZZ" and unknown codes: "99").
STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09",
    "DE": "10", "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17",
    "IN": "18", "IA": "19", "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24",
    "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30", "NE": "31",
    "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38",
    "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46",
    "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53", "WV": "54",
    "WI": "55", "WY": "56", "PR": "72",
}
FICTIONAL_FIPS = "99"

# (code, name); each region is one cell of a 3 x 2 grid over the state's bounding box.
REGIONS = (
    ("north-coast", "North Coast Education Service Region"),
    ("river-valley", "River Valley Education Service Region"),
    ("high-desert", "High Desert Education Service Region"),
    ("south-coast", "South Coast Education Service Region"),
    ("lakes", "Lakes Education Service Region"),
    ("blue-mountains", "Blue Mountains Education Service Region"),
)
# (south, north, west, east) of the fictional state.
BOX = (42.1, 45.9, -123.9, -116.8)

COUNTIES = (
    "Alder", "Bitterroot", "Blue Heron", "Cinder", "Clearwater", "Coyote", "Elkhorn",
    "Fairhaven", "Highland", "Kettle", "Lost River", "Meadowlark", "North Fork", "Obsidian",
    "Quartz", "Sagebrush", "Timberline", "Twin Lakes",
)

TOWN_FIRST = (
    "Cedar", "Maple", "Willow", "Granite", "Juniper", "Harbor", "Pine", "Elk", "Bear", "Silver",
    "Clear", "Red", "Stone", "Fox", "Lake", "River", "Sun", "Oak", "Aspen", "Copper", "Iron",
    "Falcon", "Heron", "Raven", "Spring", "Mill", "Bridge", "Ash", "Birch", "Glen", "Deer",
    "Eagle", "Hawk", "Green", "Alder", "Cold", "Lark", "Ember",
)
TOWN_SECOND = (
    "wood", "ridge", "field", "dale", "ford", "brook", "ton", "view", "crest", "haven", "port",
    "mont", "vale", "creek", "bury", "stead",
)

STREETS = (
    "Main", "Oak", "Pine", "Cedar", "Elm", "Washington", "Lincoln", "Park", "School", "Church",
    "Mill", "River", "Lake", "Hill", "Highland", "Maple", "Center", "Academy", "College",
    "Ridge", "Valley", "Spruce", "Orchard", "Meadow",
)
STREET_KINDS = ("St", "Ave", "Rd", "Dr", "Blvd", "Way", "Ln")

# Namesakes and place words for schools.
NAMESAKES = (
    "Lincoln", "Jefferson", "Roosevelt", "Franklin", "Tubman", "Earhart", "Chavez", "Douglass",
    "King", "Parks", "Sacagawea", "Carver", "Keller", "Curie", "Mendez", "Ochoa", "Inouye",
    "Marshall", "Jackson", "Madison", "Edison", "Whitman", "Thoreau", "Muir", "Audubon",
    "Cedar Hills", "Mountain View", "Riverside", "Sunrise", "Lakeview", "Prairie", "Hillcrest",
    "Meadow Park", "Oak Grove", "Pine Ridge", "Valley View", "Westside", "Eastside",
    "Northgate", "Fir Grove", "Bridgeport", "Evergreen", "Stonegate", "Brookside", "Columbia",
    "Willamette", "Cascade", "Summit", "Harbor View", "Ridgeline", "Falcon Heights",
)

CHARTER_NAMES = (
    "{town} Academy of Arts and Sciences",
    "{town} STEM Charter School",
    "{town} Preparatory Academy",
    "{town} Online Charter School",
    "{town} Montessori Charter School",
    "{town} Career and Technical Charter High School",
    "{town} Classical Academy",
)
# (name pattern, domain suffix)
DISTRICT_NAMES = (
    ("{town} School District", "sd"),
    ("{town} Public Schools", "ps"),
    ("{town} Unified School District", "usd"),
    ("{town} Consolidated School District", "csd"),
    ("{town} Community Schools", "cs"),
)

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Daniel", "Mei", "Robert", "Priya", "Carlos", "Hannah", "Kwame",
    "Sofia", "Michael", "Leila", "David", "Grace", "Luis", "Emily", "Tomas", "Nora", "Samuel",
    "Yuki", "Patricia", "Omar", "Elena", "Jamal", "Rachel", "Diego", "Fatima", "Kevin", "Ingrid",
    "Andre", "Lucia", "Brian", "Amara", "Ethan", "Rosa", "Victor", "Claire", "Hiro", "Naomi",
)
LAST_NAMES = (
    "Garcia", "Johnson", "Nguyen", "Okafor", "Chen", "Smith", "Patel", "Hernandez", "Larsen",
    "Mensah", "Rossi", "Williams", "Haddad", "Kowalski", "Kim", "Ramirez", "Olsen", "Novak",
    "Brennan", "Tanaka", "Lopez", "Anderson", "Schmidt", "Abebe", "Morales", "Fischer", "Singh",
    "Walker", "Yazzie", "Castillo", "Murphy", "Johansson", "Reyes", "Baker", "Ito", "Mahmoud",
    "Bennett", "Lindqvist", "Dubois", "Sandoval",
)

# Area codes that exist, so numbers parse as valid; 555-0100..0199 are reserved as fictional.
AREA_CODES = ("503", "541", "971", "458", "360", "509", "208", "775")

# (role slug, title, channels, 24x7) of district-level contacts, in the order they are made.
DISTRICT_ROLES = (
    ("superintendent", "Superintendent", ("email", "sms"), False),
    ("safety-director", "Director of Safety and Security", ("email", "sms", "voice"), True),
    ("mental-health", "Director of Student Services", ("email",), False),
    ("emergency-manager", "Emergency Management Coordinator", ("email", "sms"), True),
    ("it-security", "Information Security Officer", ("email", "sms"), False),
    ("communications", "Communications Director", ("email", "sms"), False),
    ("transportation", "Transportation Director", ("email", "sms", "voice"), False),
)
CENTER_STAFF = (
    ("Center Director", True),
    ("Behavioral Threat Assessment Coordinator", True),
    ("Emergency Planning Specialist", False),
    ("Training Program Manager", False),
    ("Anonymous Tip Line Operations Lead", True),
    ("Cybersecurity Liaison", False),
)
# fmt: on

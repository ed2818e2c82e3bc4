"""Word lists the dialogue track draws from: people, cities, airlines, employers, meals, cabins.

Every list is fixed and ordered, so a seed picks the same words on every machine. Names are
two capitalised words; cities and employers are one or two; nothing here contains a digit or
one of the note format's reserved characters (``|``, ``;``, ``=``).
"""

from __future__ import annotations

FIRST_NAMES = (
    "Maya", "Ivo", "Lena", "Tomas", "Priya", "Jonah", "Alma", "Felix", "Nadia", "Oren",
    "Ines", "Rafael", "Selma", "Dario", "Keiko", "Anders", "Leila", "Marek", "Zora", "Elias",
    "Hana", "Bruno", "Sofia", "Kwame", "Greta", "Luca", "Amara", "Viktor", "Noor", "Emil",
    "Yara", "Cyrus", "Livia", "Tariq", "Edda", "Mateo", "Rina", "Soren", "Thea", "Omar",
    "Ada", "Boris", "Clara", "Dmitri", "Esme", "Farid", "Gil", "Hugo", "Ilse", "Jun",
    "Kira", "Linus", "Mira", "Nils", "Olga", "Pavel",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Brandt", "Castell", "Haddad", "Lindqvist", "Moreau", "Nakamura", "Petrov",
    "Quintero", "Rasmussen", "Sato", "Tanaka", "Varga", "Weller", "Yilmaz", "Zeller",
    "Abara", "Bianchi", "Dvorak", "Esposito", "Falk", "Gallo", "Horvat", "Iversen", "Jansen",
    "Kowalski", "Lund", "Mendes", "Novak", "Ortega", "Pereira", "Rossi", "Sandoval", "Toivonen",
    "Ueda", "Vidal", "Wolff", "Xavier", "Young", "Ziegler", "Aalto", "Berger", "Costa", "Dahl",
    "Eklund", "Ferreira", "Grimaldi", "Hayashi", "Ibarra", "Jovanovic", "Kaminski", "Larsen",
    "Moretti", "Nyberg", "Olsen", "Paredes",
)  # fmt: skip
CITIES = (
    "Porto", "Lisbon", "Oslo", "Bergen", "Tallinn", "Riga", "Vilnius", "Krakow", "Gdansk",
    "Prague", "Vienna", "Graz", "Zagreb", "Split", "Sofia", "Athens", "Valletta", "Seville",
    "Bilbao", "Lyon", "Nantes", "Geneva", "Basel", "Munich", "Leipzig", "Hamburg", "Aarhus",
    "Gothenburg", "Helsinki", "Turku", "Dublin", "Cork", "Glasgow", "Bristol", "Antwerp",
    "Rotterdam", "Bologna", "Naples", "Palermo", "Ljubljana",
)  # fmt: skip
AIRLINES = (
    ("AX", "Aerion"), ("BV", "Bluvia"), ("CK", "Corvair"), ("DL", "Delmar Air"),
    ("EQ", "Equinor Wings"), ("FJ", "Fjordjet"), ("GT", "Galtair"), ("HN", "Heron"),
)  # fmt: skip
EMPLOYER_HEADS = (
    "Vantor", "Quill", "Brightwater", "Halden", "Meridian", "Oakridge", "Solvent", "Tessaly",
    "Umbra", "Westmark", "Corvid", "Lumen", "Northgate", "Pallas", "Ravel", "Silverline",
)  # fmt: skip
EMPLOYER_TAILS = ("Labs", "Logistics", "Partners", "Health", "Foods", "Systems", "Studios")
MEALS = ("vegetarian", "vegan", "halal", "kosher", "gluten free", "low salt")
CABINS = ("economy", "premium economy", "business")

"""The sentences of the dialogue: how attributes are named and the frames the agent confirms in.

The agent confirms every fact in one of a few fixed frames (``{E}`` entity, ``{L}`` label,
``{V}`` value, ``{P}`` the value a correction replaces); the reader parses exactly these frames.
The customer's own words (``SAYINGS``) state the same values in free prose the reader ignores.
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    "home_city": "home city",
    "destination": "destination",
    "travel_date": "outbound date",
    "return_date": "return date",
    "cabin": "cabin",
    "max_stops": "stop limit",
    "max_price_usd": "fare limit in USD",
    "loyalty_number": "loyalty number",
    "date_of_birth": "date of birth",
    "passport_expiry": "passport expiry",
    "employer": "employer",
    "emergency_contact": "emergency contact",
}
"""Customer attribute -> its label in the agent's confirmations and in questions."""
ATTRIBUTE_OF = {label: attribute for attribute, label in LABELS.items()}

CONFIRM_FRAMES = (
    "Noted for {E}: {L} is {V}.",
    "I have saved {E}'s {L} as {V}.",
    "On file for {E}, the {L} is now {V}.",
)
CORRECTION_FRAMES = (
    "Corrected {E}'s {L} to {V} (it was {P}).",
    "Fixed the profile of {E}: {L} is {V}, not {P}.",
)
PARTY_FRAME = "Added {C} to the travel party of {E} with a {M} meal."

SAYINGS: dict[str, tuple[str, ...]] = {
    "home_city": ("Home is {v}, so flights go out of there.", "The home city is {v}."),
    "destination": ("The trip is to {v} this time.", "The trip is to {v}."),
    "travel_date": ("Leaving on {v}, please.", "The flight out should be on {v}."),
    "return_date": ("Flying back on {v}.", "Back home by {v}, flying that day."),
    "cabin": ("Please book {v}, nothing else works.", "It has to be {v} seats."),
    "max_stops": ("No more than {v} stops, please.", "At most {v} stops will do."),
    "max_price_usd": (
        "The budget is {v} dollars per ticket, tops.",
        "No more than {v} dollars a ticket can be spent.",
    ),
    "loyalty_number": ("The frequent flyer number is {v}.", "Here's the loyalty number: {v}."),
    "date_of_birth": ("For the booking, the birth date is {v}.", "Born on {v}, full date."),
    "passport_expiry": ("The passport expires on {v}.", "The passport is valid until {v}."),
    "employer": ("The company paying for this is {v}.", "The employer is {v}, they cover it."),
    "emergency_contact": ("If anything happens, please call {v}.", "The emergency contact is {v}."),
}
"""What the customer says to state a value: the same words whoever's value it is (the agent's
confirmation names the person), so the customer's own pages and those passed on for others
(``chores``) share their surface: a reader of the text without its names cannot tell them apart."""
OPENERS = ("", "Oh, and ", "Also, ", "One more thing. ", "Before I forget, ")
GREETINGS = ("Hi, my name is {E}.", "Hello there, this is {E}.", "Good morning, I'm {E}.")
AGENT_OPENERS = ("Thanks.", "Sure thing.", "Got it.", "Happy to help.")
CORRECTION_SAYINGS = (
    "Sorry, I gave you the wrong {L} earlier: it is {V}, not {P}.",
    "Wait, my mistake about the {L}. It should be {V} instead of {P}.",
)
PARTY_SAYINGS = (
    "{C} is coming along too and needs a {M} meal.",
    "Please add {C} to the trip, with a {M} meal.",
)
COLLEAGUE_SAYINGS = {
    "home_city": "lives in {v}",
    "destination": "is heading to {v}",
    "travel_date": "leaves on {v}",
    "max_price_usd": "won't pay more than {v} dollars",
    "return_date": "comes back on {v}",
    "employer": "has the trip paid by {v}",
    "emergency_contact": "gave {v} as emergency contact",
    "date_of_birth": "was born on {v}",
    "loyalty_number": "flies with frequent flyer number {v}",
    "passport_expiry": "has a passport valid until {v}",
}
COLLEAGUE_MENTIONS = (
    "News on my colleague's trip: {C} {S}.",
    "About my coworker, not me: {C} {S}.",
)
"""A later word about one colleague's fact (what keeps a customer's change from being the last
value of its attribute the chat states)."""
COLLEAGUE_OPENERS = (
    "Unrelated, but my colleague {C} is booking a separate trip: {C} {S}.",
    "Funny thing, my coworker {C} asked me about flights as well: {C} {S}.",
)
COLLEAGUE_PERSONAL = (
    "For their own file: {C} {S}.",
    "And for a separate profile, {C} {S}.",
)
COLLEAGUE_REPLIES = (
    "I can keep that apart from your booking.",
    "That goes on a separate record, not yours.",
)
COLLEAGUE_SEARCHES = (
    "Remember my colleague {C}? Could you run a quick search for that trip too?",
    "Out of interest, what would {C} find for the trip I mentioned earlier?",
)
SEARCH_REQUESTS = {
    0: "Please look up flights for the outbound trip now.",
    1: "Now the return flight, please.",
    2: "Those fares expired. Can you search the outbound trip again?",
}
TOOL_HEADER = "Tool search_flights returned catalogue {T} with {N} flights:"
LOOKUP_REQUESTS = (
    "While you're at it, please update the separate profiles of my friends.",
    "My neighbours asked me to pass on their details for their own profiles with you.",
    "Could you also refresh what you have on file for them? Not my booking, just theirs.",
)
LOOKUP_REPLIES = (
    "Done, their own profiles (not yours) now read:",
    "Updated these records, kept apart from your booking:",
)
"""Other customers' profiles updated on request (see ``lookups``): near misses stating values of
the customer's attributes about people no question asks about."""
ROSTER_REQUESTS = (
    "A few more people from our group are joining the trip.",
    "Please put the rest of our group on the trip as well.",
)
ROSTER_FRAME = "Added to the travel party of {E}:"
ROSTER_LINE = "- {C}, {M} meal"
"""Party members with nothing but a meal to tell, added several at once (see ``render.roster``):
the agent's frame names whose party, then one line per member."""
BOOKING_REPLIES = ("Their booking, not yours:", "Kept apart from yours:")
"""Chores for the other customers (see ``chores``): the agent works through the requests the
customer passed on for friends, alone in its turn: their booking records read back (after one
of these), their values corrected and changed in the frames the customer's own are."""

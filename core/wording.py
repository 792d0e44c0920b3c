"""Small helpers that keep generated sentences grammatical: the right article before a noun,
and reasons joined into one sentence without doubled punctuation."""


def with_article(noun: str) -> str:
    """'an Admin agent', 'a Global admin' (by the first letter's sound, which fits the roles and
    nouns the portal names)."""
    noun = noun.strip()
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def join_clauses(clauses) -> str:
    """Reasons (each possibly a sentence ending with '.') joined with '; ', without their own
    final full stops, so the caller ends the whole with one: "…: a; b."."""
    return "; ".join(c.strip().rstrip(".").rstrip() for c in clauses if c and c.strip())

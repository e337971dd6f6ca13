"""Synonym sets at query time: which sets the words of a query belong to."""


def expansions(rows):
    """``{key: [term, …]}`` from ``(key, terms)`` rows (``terms``: the set, comma-separated)."""
    found = {}
    for key, terms in rows:
        found.setdefault(key, [])
        for term in terms.split(","):
            term = term.strip()
            if term and term not in found[key]:
                found[key].append(term)
    return found

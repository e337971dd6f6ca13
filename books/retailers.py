"""“Get the book” links built from a summary's ISBN: only URLs, never a network call."""

from dataclasses import dataclass
from urllib.parse import quote

# Publishers whose own site finds a book by its ISBN, matched on the publisher's name.
PUBLISHER_SEARCH = {
    "o'reilly": "https://www.oreilly.com/search/?q={isbn}",
    "manning": "https://www.manning.com/search?q={isbn}",
    "pragmatic": "https://pragprog.com/search/?q={isbn}",
    "no starch": "https://nostarch.com/search/node?keys={isbn}",
    "addison-wesley": "https://www.informit.com/search/index.aspx?query={isbn}",
    "pearson": "https://www.pearson.com/en-us/search.html?q={isbn}",
    "mit press": "https://mitpress.mit.edu/?s={isbn}",
    "packt": "https://www.packtpub.com/en-us/search?q={isbn}",
    "apress": "https://link.springer.com/search?query={isbn}",
    "springer": "https://link.springer.com/search?query={isbn}",
    "wiley": "https://www.wiley.com/en-us/search?pq={isbn}",
    "penguin": "https://www.penguinrandomhouse.com/search/site?q={isbn}",
    "farrar": "https://us.macmillan.com/search?searchText={isbn}",
    "basic books": "https://www.hachettebookgroup.com/?s={isbn}",
}


@dataclass(frozen=True)
class BookLink:
    """One place to get the book: who, and the address."""

    label: str
    url: str


def normalised_isbn(isbn):
    """The ISBN's digits (and a final X), as the catalogues expect them."""
    return "".join(c for c in isbn.upper() if c.isdigit() or c == "X")


def get_the_book(book):
    """Links to the publisher (when its site is known), Open Library and WorldCat, or []."""
    isbn = normalised_isbn(book.isbn or "")
    if not isbn:
        return []
    links = []
    publisher = (book.publisher or "").casefold().replace("\u2019", "'")
    for name, template in PUBLISHER_SEARCH.items():
        if name in publisher:
            links.append(BookLink(book.publisher, template.format(isbn=quote(isbn))))
            break
    links.append(BookLink("Open Library", f"https://openlibrary.org/isbn/{quote(isbn)}"))
    links.append(
        BookLink(
            "WorldCat (find it in a library)", f"https://search.worldcat.org/isbn/{quote(isbn)}"
        )
    )
    return links

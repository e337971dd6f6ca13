"""Related links and reviews: database rules and what readers may follow."""

import pytest
from django.db import IntegrityError, transaction

from books.models import Status
from reviews.models import RelatedLink
from tests.factories import BookAuthorFactory, BookFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db


def test_a_link_needs_a_summary_or_a_title():
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLinkFactory(target=None, title="")


def test_only_one_link_per_summary_is_featured():
    link = RelatedLinkFactory(featured=True)
    RelatedLinkFactory(book=link.book, featured=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLinkFactory(book=link.book, featured=True)


def test_a_summary_cannot_link_to_itself():
    book = BookFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLinkFactory(book=book, target=book)


def test_public_links_skip_unpublished_targets():
    book = BookFactory()
    shown = RelatedLinkFactory(book=book)
    RelatedLinkFactory(book=book, target=BookFactory(draft=True))
    RelatedLinkFactory(book=book, target=BookFactory(scheduled=True))
    title_only = RelatedLinkFactory(book=book, target=None, title="Not here yet")
    assert set(RelatedLink.objects.public()) == {shown, title_only}


def test_deleting_a_linked_summary_keeps_the_link_as_a_title():
    target = BookFactory(title="Gone Book")
    BookAuthorFactory(book=target, author__name="Ann Author")
    link = RelatedLinkFactory(target=target)
    target.delete()
    link.refresh_from_db()
    assert (link.target, link.title, link.authors) == (None, "Gone Book", "Ann Author")


@pytest.mark.parametrize(
    ("title", "typed"),
    [
        ("Designing Data-Intensive Applications", "designing DATA-intensive applications"),
        ("Чистый код", "Чистый код"),
        ("LLM в продакшене", "llm в продакшене"),
    ],
)
def test_a_title_typed_in_a_link_leads_to_its_public_summary_in_any_capitals(
    client, committed, title, typed
):
    target = BookFactory(title=title)
    book = BookFactory()
    RelatedLinkFactory(book=book, target=None, title=typed, note="Read it next")
    html = client.get(book.get_absolute_url()).content.decode()
    assert f'href="{target.get_absolute_url()}"' in html
    # a draft of that title is never linked
    with committed():
        target.status = Status.DRAFT
        target.save()
    html = client.get(book.get_absolute_url()).content.decode()
    assert f'href="{target.get_absolute_url()}"' not in html

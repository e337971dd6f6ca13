"""What the history of a summary stores (django-reversion): one revision holds the whole summary.

A revision holds the book and every row an editor edits on its page (authors in
order, sections, parts and chapters, audience, tags, the review with its
takeaways, related links), with who saved it and when. Authors and tags
themselves are shared between summaries, so a revision holds the links to them,
not their rows: restoring a summary never renames or deletes another summary's
author or tag.
"""

import json
from collections import defaultdict

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.utils import timezone
from reversion.models import Revision, Version
from reversion.revisions import _get_options  # a registered model's options: no public API
from taggit.models import TaggedItem

from books.models import AudienceItem, Book, BookAuthor, Chapter, Part, Section
from reviews.models import RelatedLink, Review, Takeaway

# Each model of a summary and the relations that lead to the rest of it: what a
# restore (``Revision.revert(delete=True)``) puts back and removes.
SUMMARY_GRAPH = {
    Book: [
        "book_authors",
        "sections",
        "audience",
        "parts",
        "tagged_items",
        "review",
        "related_links",
    ],
    BookAuthor: [],
    Section: [],
    AudienceItem: [],
    Part: ["chapters"],
    Chapter: [],
    TaggedItem: [],
    Review: ["takeaways"],
    Takeaway: [],
    RelatedLink: [],
}

for _model, _follow in SUMMARY_GRAPH.items():
    if not reversion.is_registered(_model):
        # Book's many-to-many fields are stored through BookAuthor and TaggedItem rows.
        _exclude = ("authors", "tags") if _model is Book else ()
        reversion.register(_model, follow=_follow, exclude=_exclude)


def record_revisions(summaries, *, user=None, comment):
    """Record each of ``summaries`` (from the loader) as a revision of its own.

    Stores what django-reversion's ``add_to_revision`` stores for each row
    (``tests/editorial/test_history_bulk.py`` compares them), serialized once per model,
    with every revision and version written by two bulk inserts.
    """
    revisions, rows = [], []
    for summary in summaries:
        revision = Revision(date_created=timezone.now(), user=user, comment=comment)
        revisions.append(revision)
        rows.extend((revision, row) for row in summary.rows())
    Revision.objects.bulk_create(revisions)
    versions = _versions_of([row for _, row in rows])
    for (revision, _), version in zip(rows, versions, strict=True):
        version.revision = revision
    Version.objects.bulk_create(versions)


def _versions_of(objects):
    """The Version rows django-reversion's ``add_to_revision`` makes for ``objects``, in order."""
    versions = [None] * len(objects)
    by_model = defaultdict(list)
    for index, obj in enumerate(objects):
        by_model[type(obj)].append(index)
    for model, indexes in by_model.items():
        options = _get_options(model)
        content_type = ContentType.objects.get_for_model(
            model, for_concrete_model=options.for_concrete_model
        )
        group = [objects[index] for index in indexes]
        for index, obj, data in zip(indexes, group, _serialized(group, options), strict=True):
            versions[index] = Version(
                content_type=content_type,
                object_id=str(getattr(obj, options.object_id_field)),
                db=router.db_for_write(model, instance=obj),
                format=options.format,
                serialized_data=data,
                object_repr=str(obj),
            )
    return versions


def _serialized(objects, options):
    """Each object serialized on its own, as ``serializers.serialize(format, [obj])`` would."""
    if options.format != "json":
        return [
            serializers.serialize(
                options.format,
                (obj,),
                fields=options.fields,
                use_natural_foreign_keys=options.use_natural_foreign_keys,
            )
            for obj in objects
        ]
    # Django's JSON serializer writes "[" + json.dump(<python form>) + "]\n" per call;
    # one "python" pass and the C JSON encoder produce the same text twice as fast.
    return [
        "[" + json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False) + "]\n"
        for item in serializers.serialize(
            "python",
            objects,
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        )
    ]


def versions_of(book_pk):
    """Recorded versions of a summary, newest first, with who saved them."""
    return (
        Version.objects.get_for_object_reference(Book, book_pk)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def revision_objects(revision):
    """The rows stored in ``revision``, as unsaved model instances."""
    return [version._object_version.object for version in revision.version_set.all()]

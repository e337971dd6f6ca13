"""The summary-file format: the schema, reading a file and validating each summary."""

import os
from datetime import date
from pathlib import PurePosixPath
from typing import Annotated, Literal

import ijson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic import Tag as Tag_
from pydantic import ValidationError as SchemaError
from taggit.models import Tag

from books.models import (
    NUL_FREE,
    TEXT_MAX_LENGTH,
    AudienceItem,
    Author,
    Book,
    Chapter,
    Part,
    Section,
    TagRedirect,
    TagTranslation,
    default_language,
    other_languages,
)
from reviews.models import RelatedLink, Review, Takeaway

# A file larger than this is refused before it is read (``import_summaries --max-bytes``).
DEFAULT_MAX_BYTES = 256 * 2**20
# Objects and lists nested deeper than this are refused: a summary file needs six levels.
MAX_DEPTH = 32
# No string of a summary file may be longer than the longest field (the Markdown ones).
MAX_STRING = TEXT_MAX_LENGTH
# The most bytes one JSON value (a string, escaped) can take within those bounds.
_MAX_VALUE_BYTES = 6 * MAX_STRING + 64
READ_CHUNK = 64 * 1024


class SummaryFileError(Exception):
    """A summary file that cannot be imported; the message names the file and the field."""


# --- The format ----------------------------------------------------------------------
# Each text field takes its length limit and validators from the model field it fills
# (``model_text``): one source of truth, so whatever the admin accepts a backup restores.


def _django_check(*validators):
    def check(value):
        if value:
            for validator in validators:
                try:
                    validator(value)
                except ValidationError as error:
                    raise ValueError(" ".join(error.messages)) from None
        return value

    return AfterValidator(check)


def _check_media_path(value):
    path = PurePosixPath(value)
    if value and (path.is_absolute() or ".." in path.parts or "\\" in value or "\x00" in value):
        raise ValueError(_("must be a path inside the media folder, e.g. covers/name.jpg"))
    return value


def _check_language(value):
    codes = [code for code, _name in settings.LANGUAGES]
    if value not in codes:
        raise ValueError(_("must be one of the site's languages: %s") % ", ".join(codes))
    return value


def text_field(max_length=None, *, required=False, strip=True, validators=()):
    """A string field; ``required`` means it may not be blank."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=strip, min_length=1 if required else 0, max_length=max_length
        ),
        _django_check(NUL_FREE, *(v for v in validators if v != NUL_FREE)),
    ]


def model_text(model, name, *, required=False, strip=True):
    """A string field filling ``model.name``: that field's length limit and validators.

    Markdown keeps its leading and trailing spaces (``strip=False``): they can matter.
    """
    field = model._meta.get_field(name)
    return text_field(field.max_length, required=required, strip=strip, validators=field.validators)


def _markdown(model, name, *, required=False):
    return model_text(model, name, required=required, strip=False)


Slug = model_text(Book, "slug", required=True)


class Schema(BaseModel):
    """Base for the format's objects: exact types, unknown keys rejected."""

    model_config = ConfigDict(strict=True, extra="forbid")


class AuthorData(Schema):
    name: model_text(Author, "name", required=True)
    slug: model_text(Author, "slug") = ""
    bio: _markdown(Author, "bio") = ""
    url: model_text(Author, "website") = ""


class SectionData(Schema):
    heading: model_text(Section, "heading", required=True)
    body: _markdown(Section, "body", required=True)


class ChapterData(Schema):
    title: model_text(Chapter, "title", required=True)
    summary: _markdown(Chapter, "summary") = ""


class PartData(Schema):
    label: model_text(Part, "label") = ""
    title: model_text(Part, "title", required=True)
    summary: _markdown(Part, "summary") = ""
    chapters: list[ChapterData] = []


class TakeawayData(Schema):
    title: model_text(Takeaway, "title", required=True)
    text: model_text(Takeaway, "text", required=True)


class ReviewData(Schema):
    reviewer: model_text(Review, "reviewer", required=True)
    source: model_text(Review, "source", required=True)
    url: model_text(Review, "url") = ""
    title: model_text(Review, "title") = ""
    body: _markdown(Review, "body") = ""
    published_at: Annotated[date | None, Field(strict=False)] = None
    takeaways: list[TakeawayData] = []


class TagNameData(Schema):
    """A tag's name, and optionally its slug, in another language than the site's."""

    name: model_text(TagTranslation, "name", required=True)
    slug: model_text(TagTranslation, "slug") = ""

    @property
    def derived_slug(self):
        """The slug the tag's name gets in this language when the file gives none."""
        return TagTranslation(name=self.name).derived_slug()


def _check_tag_languages(value):
    codes = [code for code, _name in other_languages()]
    for code in value:
        if code not in codes:
            raise ValueError(_("translations: a tag's name is in one of %s") % ", ".join(codes))
    return value


class TagData(Schema):
    """A tag whose slug is not the one its name would get, that old tag URLs lead to, or that
    has a name in another language."""

    name: model_text(Tag, "name", required=True)
    slug: model_text(Tag, "slug", required=True)
    redirects: list[model_text(TagRedirect, "old_slug", required=True)] = []
    translations: Annotated[dict[str, TagNameData], AfterValidator(_check_tag_languages)] = {}


class RelatedData(Schema):
    slug: Slug | None = None
    title: model_text(RelatedLink, "title") | None = None
    authors: (
        model_text(RelatedLink, "authors") | list[model_text(Author, "name", required=True)]
    ) = ""
    note: model_text(RelatedLink, "note", required=True)
    featured: bool = False

    @model_validator(mode="after")
    def slug_or_title(self):
        if bool(self.slug) == bool(self.title):
            raise ValueError(
                _("give either 'slug' (a summary in the library) or 'title', not both")
            )
        limit = RelatedLink._meta.get_field("authors").max_length
        if len(self.authors_text) > limit:
            raise ValueError(_("authors: at most %d characters in all") % limit)
        return self

    @property
    def authors_text(self):
        return ", ".join(self.authors) if isinstance(self.authors, list) else self.authors


class SummaryData(Schema):
    slug: Slug | None = None
    title: model_text(Book, "title", required=True)
    subtitle: model_text(Book, "subtitle") = ""
    authors: list[AuthorData] = []
    publisher: model_text(Book, "publisher") = ""
    year: Annotated[int, Field(ge=1450, le=2100)] | None = None
    pages: Annotated[int, Field(ge=1)] | None = None
    isbn: model_text(Book, "isbn") = ""
    cover: Annotated[
        text_field(Book._meta.get_field("cover").max_length), AfterValidator(_check_media_path)
    ] = ""
    lede: model_text(Book, "lede") = ""
    description: _markdown(Book, "description") = ""
    authors_intro: model_text(Book, "authors_intro", strip=False) = ""
    structure_intro: _markdown(Book, "structure_intro") = ""
    sections: list[SectionData] = []
    audience: list[model_text(AudienceItem, "text", required=True)] = []
    tags: list[
        Annotated[
            Annotated[model_text(Tag, "name", required=True), Tag_("str")]
            | Annotated[TagData, Tag_("object")],
            Discriminator(lambda value: "object" if isinstance(value, dict | TagData) else "str"),
        ]
    ] = []
    language: Annotated[str, AfterValidator(_check_language)] = Field(
        default_factory=default_language
    )
    # The slug of the summary this one translates (in the library, or in the same file).
    translation_of: Slug | None = None
    status: Literal["published", "draft"] = "draft"
    published_at: Annotated[AwareDatetime | None, Field(strict=False)] = None
    unpublish_at: Annotated[AwareDatetime | None, Field(strict=False)] = None
    seo_title: text_field(120) = ""
    seo_description: text_field(300) = ""
    parts: list[PartData] = []
    review: ReviewData | None = None
    related: list[RelatedData] = []

    @model_validator(mode="after")
    def consistent(self):
        names = [author.slug or author.name.casefold() for author in self.authors]
        if len(names) != len(set(names)):
            raise ValueError(_("authors: the same author is listed twice"))
        if sum(link.featured for link in self.related) > 1:
            raise ValueError(_("related: only one link can be featured"))
        if self.slug and any(link.slug == self.slug for link in self.related):
            raise ValueError(_("related: a summary cannot be related to itself"))
        if self.translation_of and self.translation_of == self.book_slug:
            raise ValueError(_("translation_of: a summary cannot be its own translation"))
        if self.unpublish_at and self.published_at and self.unpublish_at <= self.published_at:
            raise ValueError(_("unpublish_at: must come after published_at"))
        return self

    @property
    def tag_entries(self):
        """Each tag as ``(name, slug or None, old slugs, ((language, name, slug), …))``: a plain
        name has none of the last three."""
        return [
            (tag, None, (), ())
            if isinstance(tag, str)
            else (
                tag.name,
                tag.slug,
                tuple(tag.redirects),
                tuple(
                    sorted(
                        (code, t.name, t.slug or t.derived_slug)
                        for code, t in tag.translations.items()
                    )
                ),
            )
            for tag in self.tags
        ]

    @property
    def book_slug(self):
        return self.slug or slugify(self.title, allow_unicode=True)[:320].strip("-")


# --- Reading and validating -------------------------------------------------------------


# The names under which a tag's two forms (a name, an object) appear in error locations.
_UNION_TAGS = {"str", "object"}


def _location(loc):
    text = ""
    for part in loc:
        if part in _UNION_TAGS:
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(summary)"


def describe_item(path, index, raw):
    """How errors name one summary of a file: the file, its number and its title."""
    title = raw.get("title") if isinstance(raw, dict) else None
    label = _("summary #%d") % (index + 1)
    if isinstance(title, str) and title.strip():
        label += f" ({title.strip()[:80]!r})"
    return f"{path}: {label}"


class _Bounds:
    """Checks a file's JSON as it is fed, chunk by chunk, building nothing.

    Syntax, nesting depth, string lengths and the shape at the top (one summary or a
    list of them) are checked by yajl's push parser (ijson): time grows with the size
    of the file and memory with one chunk, whatever the file holds. ``feed`` returns a
    problem, or None.
    """

    def __init__(self):
        self.events = ijson.sendable_list()
        self.parser = ijson.basic_parse_coro(self.events, use_float=True)
        self.depth = 0
        self.top = None
        self.summaries = 0  # summaries completed, in a list
        self.fed = 0  # bytes fed
        self.settled = 0  # bytes fed when the last event came: a value is read since
        self.too_long = False
        self.broken = False  # not JSON

    def feed(self, data):
        try:
            self.parser.send(data) if data else self.parser.close()
        except ijson.JSONError as error:
            self.broken = True
            return str(error).splitlines()[0].removeprefix("parse error: ")
        self.fed += len(data)
        if not self.events:
            if self.fed - self.settled > _MAX_VALUE_BYTES:
                self.too_long = True
                return (
                    _("a value longer than %s characters (the longest field)") % f"{MAX_STRING:,}"
                )
            return None
        self.settled = self.fed
        for event, value in self.events:
            if event == "start_map" or event == "start_array":
                self.depth += 1
                if self.top is None:
                    self.top = event
                elif self.depth > MAX_DEPTH:
                    return _("objects and lists nested more than %d levels deep") % MAX_DEPTH
            elif event == "end_map" or event == "end_array":
                self.depth -= 1
                if self.depth == 1 and self.top == "start_array":
                    self.summaries += 1
            elif self.top is None:
                return _("must hold one summary object or a list of them")
            elif (event == "string" or event == "map_key") and len(value) > MAX_STRING:
                return (
                    _("a string longer than %s characters (the longest field)") % f"{MAX_STRING:,}"
                )
        self.events.clear()
        return None

    def where(self):
        """The summary being read, when the file holds a list."""
        if self.top == "start_array" and self.depth > 1:
            return _("summary #%d") % (self.summaries + 1) + ", "
        return ""


def check_file(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """Refuse a file that is too large, not JSON, or beyond the format's bounds: before
    anything is imported, in one linear pass that builds nothing.

    The error names the file, the summary and the line and column of the problem.
    Returns True when the file holds a list of summaries, False for a single one.
    """
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise SummaryFileError(_("%s: no such file") % path) from None
    except OSError as error:
        raise SummaryFileError(
            _("%(path)s: cannot be read (%(error)s)") % {"path": path, "error": error.strerror}
        ) from None
    if size > max_bytes:
        raise SummaryFileError(
            _(
                "%(path)s: %(size)s bytes, more than the limit of %(limit)s "
                "(raise it with --max-bytes)"
            )
            % {"path": path, "size": f"{size:,}", "limit": f"{max_bytes:,}"}
        )
    bounds, offset = _Bounds(), 0
    try:
        with open(path, "rb") as stream:
            while True:
                chunk = stream.read(READ_CHUNK)
                problem = bounds.feed(chunk)
                if problem:
                    raise SummaryFileError(_problem_at(path, bounds, offset, chunk, problem))
                if not chunk:
                    return bounds.top == "start_array"
                offset += len(chunk)
    except OSError as error:
        raise SummaryFileError(
            _("%(path)s: cannot be read (%(error)s)") % {"path": path, "error": error.strerror}
        ) from None


def _problem_at(path, found, offset, chunk, problem):
    """The problem ``found`` in ``chunk`` (read at byte ``offset``), with the place where it is.

    Only a refused file pays for this: the file is fed again up to the chunk, and
    that chunk a byte at a time, to find the byte where the problem shows. A
    value too long is placed where it starts.
    """
    bounds, position = found, found.settled
    if not found.too_long:
        bounds, position = _Bounds(), offset + len(chunk)
        with open(path, "rb") as stream:
            while bounds.fed < offset:
                bounds.feed(stream.read(min(READ_CHUNK, offset - bounds.fed)))
        for start in range(len(chunk)):
            if bounds.feed(chunk[start : start + 1]):
                position = offset + start
                break
    line, line_start = 1, 0
    with open(path, "rb") as stream:
        while stream.tell() < position:
            start = stream.tell()
            data = stream.read(min(READ_CHUNK, position - start))
            line += data.count(b"\n")
            if b"\n" in data:
                line_start = start + data.rfind(b"\n") + 1
        column = position - line_start + 1  # in bytes on a very long line
        if position - line_start <= READ_CHUNK:
            stream.seek(line_start)
            column = len(stream.read(position - line_start).decode("utf-8", "replace")) + 1
    place = _("line %(line)d, column %(column)d") % {"line": line, "column": column}
    if found.broken:
        return f"{path}: {bounds.where()}" + _("not valid JSON at %(place)s: %(problem)s") % {
            "place": place,
            "problem": problem,
        }
    return f"{path}: {bounds.where()}{place}: {problem}"


def read_items(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """Yield the raw summary objects of a summary file one by one, or raise SummaryFileError.

    The whole file is checked first (``check_file``): a broken or hostile file is
    refused before anything is imported. A list is then streamed (ijson): a file of
    thousands of summaries is never held in memory whole.
    """
    is_list = check_file(path, max_bytes=max_bytes)
    with open(path, "rb") as stream:
        try:
            yield from ijson.items(stream, "item" if is_list else "", use_float=True)
        except ijson.JSONError as error:  # the file changed since it was checked
            raise SummaryFileError(
                _("%(path)s: not valid JSON (%(error)s)") % {"path": path, "error": error}
            ) from None


def validate_item(path, index, raw):
    """Check one raw summary against the format; errors name the file and every bad field."""
    if not isinstance(raw, dict):
        raise SummaryFileError(
            f"{describe_item(path, index, raw)}: " + _("must be an object with a 'title'")
        )
    try:
        summary = SummaryData.model_validate(raw)
    except SchemaError as error:
        problems = "; ".join(
            f"{_location(problem['loc'])}: {problem['msg'].removeprefix('Value error, ')}"
            for problem in error.errors()
        )
        raise SummaryFileError(f"{describe_item(path, index, raw)}: {problems}") from None
    if not summary.book_slug:
        raise SummaryFileError(
            f"{describe_item(path, index, raw)}: "
            + _("slug: cannot be derived from the title; give one")
        )
    return summary

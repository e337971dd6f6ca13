"""The summary-file format: the schema, reading a file and validating each summary."""

import itertools
import json
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

import ijson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_unicode_slug
from django.utils.text import slugify
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic import ValidationError as SchemaError

from books.models import (
    default_language,
    validate_isbn,
)


class SummaryFileError(Exception):
    """A summary file that cannot be imported; the message names the file and the field."""


# --- The format ----------------------------------------------------------------------


def _django_check(validator):
    def check(value):
        if value:
            try:
                validator(value)
            except ValidationError as error:
                raise ValueError(" ".join(error.messages)) from None
        return value

    return AfterValidator(check)


def _check_media_path(value):
    path = PurePosixPath(value)
    if value and (path.is_absolute() or ".." in path.parts or "\\" in value):
        raise ValueError("must be a path inside the media folder, e.g. covers/name.jpg")
    return value


def _check_isbn(value):
    if value:
        try:
            validate_isbn(value)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
    return value


def _check_language(value):
    codes = [code for code, _ in settings.LANGUAGES]
    if value not in codes:
        raise ValueError(f"must be one of the site's languages: {', '.join(codes)}")
    return value


def text_field(max_length=None, *, required=False):
    """A string field; ``required`` means it may not be blank."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
    ]


Url = Annotated[text_field(200), _django_check(URLValidator(schemes=["http", "https"]))]
Slug = Annotated[text_field(320, required=True), _django_check(validate_unicode_slug)]


class Schema(BaseModel):
    """Base for the format's objects: exact types, unknown keys rejected."""

    model_config = ConfigDict(strict=True, extra="forbid")


class AuthorData(Schema):
    name: text_field(200, required=True)
    slug: Annotated[text_field(220), _django_check(validate_unicode_slug)] = ""
    bio: str = ""
    url: Url = ""


class SectionData(Schema):
    heading: text_field(200, required=True)
    body: text_field(required=True)


class ChapterData(Schema):
    title: text_field(300, required=True)
    summary: str = ""


class PartData(Schema):
    label: text_field(20) = ""
    title: text_field(300, required=True)
    summary: str = ""
    chapters: list[ChapterData] = []


class TakeawayData(Schema):
    title: text_field(200, required=True)
    text: text_field(required=True)


class ReviewData(Schema):
    reviewer: text_field(200, required=True)
    source: text_field(200, required=True)
    url: Url = ""
    title: text_field(300) = ""
    body: str = ""
    published_at: Annotated[date | None, Field(strict=False)] = None
    takeaways: list[TakeawayData] = []


class RelatedData(Schema):
    slug: Slug | None = None
    title: text_field(300) | None = None
    authors: text_field(300) | list[text_field(200, required=True)] = ""
    note: text_field(300, required=True)
    featured: bool = False

    @model_validator(mode="after")
    def slug_or_title(self):
        if bool(self.slug) == bool(self.title):
            raise ValueError("give either 'slug' (a summary in the library) or 'title', not both")
        return self

    @property
    def authors_text(self):
        return ", ".join(self.authors) if isinstance(self.authors, list) else self.authors


class SummaryData(Schema):
    slug: Slug | None = None
    title: text_field(300, required=True)
    subtitle: text_field(300) = ""
    authors: list[AuthorData] = []
    publisher: text_field(200) = ""
    year: Annotated[int, Field(ge=1450, le=2100)] | None = None
    pages: Annotated[int, Field(ge=1)] | None = None
    isbn: Annotated[text_field(17), AfterValidator(_check_isbn)] = ""
    cover: Annotated[text_field(100), AfterValidator(_check_media_path)] = ""
    lede: text_field(600) = ""
    description: str = ""
    authors_intro: str = ""
    structure_intro: str = ""
    sections: list[SectionData] = []
    audience: list[text_field(300, required=True)] = []
    tags: list[text_field(100, required=True)] = []
    language: Annotated[str, AfterValidator(_check_language)] = Field(
        default_factory=default_language
    )
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
            raise ValueError("authors: the same author is listed twice")
        if sum(link.featured for link in self.related) > 1:
            raise ValueError("related: only one link can be featured")
        if self.slug and any(link.slug == self.slug for link in self.related):
            raise ValueError("related: a summary cannot be related to itself")
        if self.unpublish_at and self.published_at and self.unpublish_at <= self.published_at:
            raise ValueError("unpublish_at: must come after published_at")
        return self

    @property
    def book_slug(self):
        return self.slug or slugify(self.title, allow_unicode=True)[:320].strip("-")


# --- Reading and validating -------------------------------------------------------------


def _location(loc):
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(summary)"


def describe_item(path, index, raw):
    """How errors name one summary of a file: the file, its number and its title."""
    title = raw.get("title") if isinstance(raw, dict) else None
    label = f"summary #{index + 1}"
    if isinstance(title, str) and title.strip():
        label += f" ({title.strip()[:80]!r})"
    return f"{path}: {label}"


def read_items(path):
    """Yield the raw summary objects of a summary file one by one, or raise SummaryFileError.

    A list is streamed (ijson): a file of thousands of summaries is never held in
    memory whole, and a syntax error surfaces when the reader reaches it.
    """
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed by the ``with`` below)
    except FileNotFoundError:
        raise SummaryFileError(f"{path}: no such file") from None
    except OSError as error:
        raise SummaryFileError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    with stream:
        try:
            events = ijson.parse(stream, use_float=True)
            first = next(events, (None, None, None))
            if first[1] not in {"start_array", "start_map"}:
                raise SummaryFileError(f"{path}: must hold one summary object or a list of them")
            prefix = "item" if first[1] == "start_array" else ""
            yield from ijson.items(itertools.chain([first], events), prefix)
        except ijson.JSONError as error:
            raise SummaryFileError(_json_problem(path, error)) from None


def _json_problem(path, error):
    """Say where a file's JSON breaks. Only a broken file is read whole, to find the line."""
    try:
        json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as problem:
        return f"{path}: cannot be read as UTF-8 text ({problem})"
    except json.JSONDecodeError as problem:
        return (
            f"{path}: not valid JSON at line {problem.lineno}, column {problem.colno}: "
            f"{problem.msg}"
        )
    return f"{path}: not valid JSON ({str(error).splitlines()[0]})"


def validate_item(path, index, raw):
    """Check one raw summary against the format; errors name the file and every bad field."""
    if not isinstance(raw, dict):
        raise SummaryFileError(
            f"{describe_item(path, index, raw)}: must be an object with a 'title'"
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
            f"{describe_item(path, index, raw)}: slug: cannot be derived from the title; give one"
        )
    return summary

"""Synonym sets: words and phrases that search treats as one, kept by editors in the admin."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from books.models import NUL_FREE

from .language import analysed_keys
from .query import clean_text, words_of

# A query term expands into an OR of its set: a bound on the work one term can cause.
MAX_TERMS = 6
MAX_TERM_CHARS = 100


def split_terms(text):
    """The terms of a set as an editor wrote them: comma-separated, blanks and repeats dropped."""
    terms = {}
    for term in clean_text(text).split(","):
        term = " ".join(term.split())
        if term and words_of(term):
            terms.setdefault(" ".join(words_of(term)), term)
    return list(terms.values())


class SynonymSet(models.Model):
    """Words and phrases meaning the same to a reader: a search for one finds the others."""

    terms = models.TextField(
        _("terms"),
        validators=[NUL_FREE],
        help_text=_(
            "Two or more words or phrases that mean the same, separated by commas, "
            "e.g. “LLM, large language model”. A search for any of them finds the others; "
            "a phrase is matched as a phrase. Changes apply to the next search at once."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name_plural = _("synonym sets")
        ordering = ["terms"]
        verbose_name = _("synonym set")

    def __str__(self):
        return ", ".join(self.term_list)

    def save(self, *args, **kwargs):
        self.terms = ", ".join(self.term_list)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.keys.all().delete()
            SynonymKey.objects.bulk_create(
                SynonymKey(synonym_set=self, key=key)
                for key in sorted({key for term in self.term_list for key in analysed_keys(term)})
            )

    @property
    def term_list(self):
        return split_terms(self.terms)

    def clean(self):
        terms = self.term_list
        if len(terms) < 2:
            raise ValidationError(
                {"terms": _("Give at least two words or phrases, separated by commas.")}
            )
        if len(terms) > MAX_TERMS:
            raise ValidationError(
                {
                    "terms": _("A set holds at most %(limit)d words or phrases.")
                    % {"limit": MAX_TERMS}
                }
            )
        if any(len(term) > MAX_TERM_CHARS for term in terms):
            raise ValidationError(
                {
                    "terms": _("Each word or phrase is at most %(limit)d characters long.")
                    % {"limit": MAX_TERM_CHARS}
                }
            )


class SynonymKey(models.Model):
    """How search finds a set from a query term: each term's folded and stemmed forms."""

    synonym_set = models.ForeignKey(SynonymSet, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=300, editable=False)

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["key"], name="search_synonym_key_idx")]

    def __str__(self):
        return self.key

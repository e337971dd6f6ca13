"""Template helpers for the library's pages."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def display_url(url):
    """Show a URL the way people say it: ``https://example.com/`` → ``example.com``."""
    if not url:
        return ""
    parts = urlsplit(url)
    text = parts.netloc + parts.path
    if text.startswith("www."):
        text = text[4:]
    return text.rstrip("/") or url

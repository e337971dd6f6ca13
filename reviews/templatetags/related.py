"""Template filters that split a summary's related links into the featured one and the rest."""

from django import template

register = template.Library()


@register.filter
def featured_link(links):
    """The featured related link, or None."""
    return next((link for link in links if link.featured), None)


@register.filter
def other_links(links):
    """The related links that are not featured, in order."""
    return [link for link in links if not link.featured]

"""A health check that touches no database: for load balancers, and bench_pages' trivial view."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """``ok``: the process is up and serving requests."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

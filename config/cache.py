"""Django's Redis cache, keeping one redis-py client instead of building one for every call.

Django's ``RedisCacheClient.get_client()`` makes a new ``redis.Redis`` on each cache
operation (on the same connection pool); building one fills its table of response
callbacks, about 170 entries, which cost 0.2 ms of CPU per call here: half of what a
cached page costs to serve (docs/operations.md). A ``redis.Redis`` is safe to share
between threads (each command takes a connection from the pool), so one per pool is
kept.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    """The client of Django's Redis cache, with one ``redis.Redis`` per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache backend with ``RedisCacheClient`` above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

"""Django's Redis cache with one client object per connection pool (issue 20).

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new `redis.Redis` for
every cache operation; its constructor copies the library's table of ≈ 170 response callbacks,
which measured ≈ 160 µs on the two-core VM, more than the GET it was made for (≈ 120 µs), on
every session read. A `redis.Redis` over a connection pool may be shared (each command takes a
connection from the pool; Django makes a cache object per thread anyway), so one is kept per
pool. Everything else, timeouts and errors included, is Django's.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

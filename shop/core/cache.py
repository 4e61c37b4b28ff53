"""Redis as a cache that may go away: a Redis outage makes the shop slower, never broken.

Django's RedisCache raises on a lost connection, so every page (and the rate limits, and the
page cache) answered 500 while Redis was down. Here every cache call that meets a Redis error
is logged and answered as a miss (get: the default, set/add/delete: nothing stored), and
`incr` raises ValueError as for a missing key, so django-ratelimit starts a fresh count:
limits fail open while Redis is down. Short socket timeouts keep a dead Redis from holding
a worker.

Django's RedisCacheClient builds a new redis.Redis object for every call, which sets up its
~170 response callbacks each time: about as much CPU as the GET it then sends. Here each
connection pool keeps one (a redis.Redis over a pool is safe to share between threads)."""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_MISS_ANSWERS = {
    "get": lambda args, kwargs: kwargs.get("default", args[1] if len(args) > 1 else None),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "set": lambda args, kwargs: None,
    "add": lambda args, kwargs: False,
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "set_many": lambda args, kwargs: [],
    "delete_many": lambda args, kwargs: None,
    "clear": lambda args, kwargs: False,
}


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        # Django's own two private members, as its get_client uses them (not in django-stubs).
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))  # the pools live as long as this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            logger.warning("Redis unavailable (incr): %s", exc.__class__.__name__)
            raise ValueError(f"Key {key!r} not found (Redis unavailable).") from exc


def _forgiving(name):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            logger.warning("Redis unavailable (%s): %s", name, exc.__class__.__name__)
            return _MISS_ANSWERS[name](args, kwargs)

    call.__name__ = name
    return call


for _name in _MISS_ANSWERS:
    setattr(ForgivingRedisCache, _name, _forgiving(_name))

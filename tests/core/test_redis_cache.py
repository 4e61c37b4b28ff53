"""shop.core.cache: one redis.Redis per connection pool, reused by every call and thread."""

import threading
import uuid

from shop.core.cache import ForgivingRedisCache


def test_calls_reuse_one_client_and_threads_share_it(redis_url):
    cache = ForgivingRedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("a", 1)
    assert cache.get("a") == 1
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client  # one server: one pool, one client
    seen = []

    def read():
        seen.append(cache.get("a"))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [1] * 8

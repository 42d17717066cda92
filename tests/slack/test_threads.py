"""Thread memory: the threads the bot answered in, and its latest answer in each, kept a day in the store
(Redis here), so that any replica knows them."""


def test_replies_are_remembered_for_a_day(fake, knowledge, redis_url):
    import redis

    from bot.slack.store import RedisStore
    from bot.slack.threads import REMEMBER_SECONDS, ThreadMemory

    memory = ThreadMemory(RedisStore(redis_url))
    memory.answered("C1", "1710000000.000001", "1710000000.000009")
    assert memory.latest_answer("C1", "1710000000.000001") == "1710000000.000009"
    assert memory.latest_answer("C1", "1710000000.000002") is None
    ttl = redis.Redis.from_url(redis_url).ttl("container-bot:dedupe:thread:C1:1710000000.000001")
    assert REMEMBER_SECONDS - 5 <= ttl <= REMEMBER_SECONDS == 24 * 3600

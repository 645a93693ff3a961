"""A command line's change is the change of the flags it sets differently."""

from wicked_platform.tools.changes.command_flags import changed_flags, flags
from wicked_platform.tools.changes.config_values import config_changes

REDIS = "services:\n  redis:\n    image: redis:7.2\n    command: redis-server --save 300 100 --appendonly no --maxmemory 2gb\n"


def test_a_compose_command_change_is_the_flag_that_changed_placed_in_its_service():
    changes = config_changes("docker-compose.yml", REDIS, REDIS.replace("2gb", "256mb"))
    assert [(c.key, c.before, c.after) for c in changes] == [("services.redis.command.maxmemory", "2gb", "256mb")]
    assert changes[0].place is not None and changes[0].place.owner == "redis"


def test_jvm_sizes_and_properties_and_equals_flags_are_read():
    before = "java -Xmx2g -Dserver.tomcat.threads.max=200 -jar app.jar --spring.profiles.active=prod --debug"
    after = "java -Xmx512m -Dserver.tomcat.threads.max=50 -jar app.jar --spring.profiles.active=prod"
    assert changed_flags(before, after) == [("mx", "2g", "512m"), ("server.tomcat.threads.max", "200", "50"),
                                            ("debug", "true", None)]


def test_lines_without_flags_or_not_one_command_are_left_whole():
    assert flags("redis-server") is None and flags("a\nb --x 1") is None and flags("echo 'unclosed --x") is None
    changes = config_changes("docker-compose.yml", REDIS.replace(" --maxmemory 2gb", ""),
                             REDIS.replace(" --maxmemory 2gb", "").replace("redis-server", "valkey-server"))
    assert [c.key for c in changes] == ["services.redis.command"]

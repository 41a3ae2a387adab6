"""`manage.py run` (waitress) behind a reverse proxy: the app's own ProxyFix sees X-Forwarded-*."""
import requests


def _codes(url, clients):
    """Status of an anonymous API request from each client address, as a proxy would forward it."""
    return [requests.get(f"{url}/api/v1/search?q=x", timeout=10,
                         headers={"X-Forwarded-For": client, "X-Forwarded-Proto": "https"}).status_code
            for client in clients]


def test_behind_a_proxy_each_forwarded_client_has_its_own_rate_limit(instance):
    instance.env.update(SUITE_HTTPS="1", SUITE_PROXY_COUNT="1", SUITE_RATELIMIT_API="2/hour")
    url = instance.start_server()
    assert _codes(url, ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.3"]) == \
        [200, 200, 429, 200, 200]


def test_without_proxy_settings_forwarded_addresses_are_not_believed(instance):
    instance.env.update(SUITE_RATELIMIT_API="2/hour")
    url = instance.start_server()
    assert _codes(url, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [200, 200, 429]

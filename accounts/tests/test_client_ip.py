"""Rate limits count the real client, behind the documented proxy as without one."""

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.adapters import AccountAdapter

pytestmark = pytest.mark.django_db

LIMITED = "Too many failed login attempts"
PROXY = "10.0.0.1"


def _bad_login(client, n, **headers):
    # A different address each time, so only the per-IP limit (10/m) can trip, not the per-key one.
    response = client.post(
        reverse("account_login"), {"login": f"nobody{n}@example.org", "password": "wrong"}, **headers
    )
    assert response.status_code == 200
    return str(response.context["form"].errors)


def test_without_a_proxy_x_forwarded_for_is_ignored_so_it_cannot_lift_a_limit(client):
    for n in range(10):
        assert LIMITED not in _bad_login(client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # The 11th from the same peer is held back, whatever address it claims to be forwarded for.
    assert LIMITED in _bad_login(client, 10, HTTP_X_FORWARDED_FOR="203.0.113.99")


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_one_clients_failures_do_not_lock_out_another(client):
    for n in range(10):
        assert LIMITED not in _bad_login(client, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert LIMITED in _bad_login(client, 10, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # The attacker cannot spoof past the proxy: it appends the real address, the rightmost counts.
    spoofed = "198.51.100.77, 203.0.113.5"
    assert LIMITED in _bad_login(client, 11, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=spoofed)
    # Another learner behind the same proxy logs in as usual.
    assert LIMITED not in _bad_login(client, 12, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_request_that_skipped_the_proxies_counts_under_its_peer_not_a_500(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert AccountAdapter(request).get_client_ip(request) == "192.0.2.10"
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.2")
    assert AccountAdapter(request).get_client_ip(request) == "198.51.100.1"


@override_settings(ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_a_trusted_client_ip_header_is_used_when_configured(rf):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.8")
    assert AccountAdapter(request).get_client_ip(request) == "203.0.113.8"
    request = rf.get("/", REMOTE_ADDR=PROXY)  # not through the proxy: its peer
    assert AccountAdapter(request).get_client_ip(request) == PROXY

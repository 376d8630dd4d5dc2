"""The Token header of OSS's pushes: SHA1(username + password + NIB + Ymd), today in
Asia/Jakarta, compared in constant time, refused in every other case."""

import hashlib
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from oss.token import OSS_TIMEZONE, TokenError, check_token, make_token, oss_today

USER, PASSWORD, NIB = "bontang-ptsp", "kata-sandi-uji", "9120108233467"


def _token(day) -> str:
    return make_token(username=USER, password=PASSWORD, nib=NIB, on=day)


def _check(token, nib=NIB, **kwargs):
    check_token(token, username=USER, password=PASSWORD, nib=nib, **kwargs)


def _reason(token, nib=NIB, **kwargs) -> str:
    with pytest.raises(TokenError) as caught:
        _check(token, nib=nib, **kwargs)
    return caught.value.reason


def test_the_token_is_the_sha1_of_the_concatenation_as_the_guide_writes_it():
    day = oss_today()
    expected = hashlib.sha1(f"{USER}{PASSWORD}{NIB}{day:%Y%m%d}".encode()).hexdigest()  # noqa: S324
    assert _token(day) == expected
    assert len(expected) == 40


def test_todays_token_is_accepted_in_either_case_of_hex():
    token = _token(oss_today())
    _check(token)
    _check(token.upper())
    _check(f"  {token}  ")


def test_a_missing_or_empty_token_is_refused():
    assert _reason(None) == "missing"
    assert _reason("") == "missing"
    assert _reason("   ") == "missing"


def test_a_wrong_token_is_refused():
    assert _reason("0" * 40) == "mismatch"
    other = make_token(username=USER, password="another-password", nib=NIB, on=oss_today())
    assert _reason(other) == "mismatch"
    another_nib = make_token(username=USER, password=PASSWORD, nib="9120108233468", on=oss_today())
    assert _reason(another_nib) == "mismatch"


def test_the_guides_example_header_which_is_not_a_digest_is_refused():
    # the guide's header example: the concatenation itself, not its SHA-1
    assert _reason("OSS000qw13242628gssssss812345654709820180514") == "malformed"
    assert _reason(_token(oss_today()) + "0") == "malformed"


def test_yesterdays_and_tomorrows_tokens_are_refused_as_stale():
    today = oss_today()
    assert _reason(_token(today - timedelta(days=1))) == "stale_date"
    assert _reason(_token(today + timedelta(days=1))) == "stale_date"
    assert _reason(_token(today - timedelta(days=2))) == "mismatch"


@pytest.mark.parametrize(
    "nib",
    ["912010823346A", "91201082334", "91201082334670", "", None, 9120108233467, " 912010823346"],
)
def test_a_nib_that_is_not_13_digits_is_refused_before_any_hashing(nib):
    token = make_token(username=USER, password=PASSWORD, nib=str(nib), on=oss_today())
    assert _reason(token, nib=nib) == "invalid_nib"


def test_without_credentials_nothing_is_accepted():
    token = make_token(username="", password="", nib=NIB, on=oss_today())
    for username, password in (("", ""), (USER, ""), ("", PASSWORD)):
        with pytest.raises(TokenError) as caught:
            check_token(token, username=username, password=password, nib=NIB)
        assert caught.value.reason == "not_configured"


def _next_midnight_in_jakarta() -> datetime:
    now = datetime.now(tz=OSS_TIMEZONE)
    return datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=OSS_TIMEZONE)


def test_around_midnight_in_jakarta_only_the_days_own_token_passes():
    midnight = _next_midnight_in_jakarta()
    with time_machine.travel(midnight - timedelta(seconds=1), tick=False):
        evening_token = _token(oss_today())
        _check(evening_token)  # 23:59:59 WIB: still today's
    with time_machine.travel(midnight + timedelta(seconds=1), tick=False):
        assert oss_today() == midnight.date()
        assert _reason(evening_token) == "stale_date"  # 00:00:01 WIB: yesterday's
        _check(_token(midnight.date()))


def test_the_date_is_jakartas_not_utcs_nor_the_regions():
    # 17:30 UTC is 00:30 WIB the next day (and 01:30 WITA in Bontang): OSS's date is Jakarta's
    today_utc = datetime.now(tz=UTC).date()
    moment = datetime.combine(today_utc, time(17, 30), tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        jakarta_day = moment.astimezone(OSS_TIMEZONE).date()
        assert jakarta_day == today_utc + timedelta(days=1)
        _check(_token(jakarta_day))
        assert _reason(_token(today_utc)) == "stale_date"


def test_an_explicit_now_must_be_aware():
    with pytest.raises(ValueError):
        oss_today(datetime.now(tz=UTC).replace(tzinfo=None))


def test_the_token_error_never_carries_the_token():
    token = "f" * 40
    with pytest.raises(TokenError) as caught:
        _check(token)
    assert token not in str(caught.value)

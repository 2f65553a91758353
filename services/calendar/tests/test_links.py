"""Export tokens: keyed by ICS_SALT; the public development salt only in development."""

import pytest
from pydantic import SecretStr

from services.calendar import links
from services.common.settings import Settings


def test_the_salt_is_ics_salt_when_set() -> None:
    settings = Settings(environment="production", ics_salt=SecretStr("s3cret"))
    assert links.salt(settings) == b"s3cret"
    assert links.token_matches(b"s3cret", 7, links.token(b"s3cret", 7).upper())
    assert not links.token_matches(links.DEV_SALT.encode(), 7, links.token(b"s3cret", 7))


def test_the_development_salt_never_outside_development() -> None:
    assert links.salt(Settings(environment="development")) == links.DEV_SALT.encode()
    with pytest.raises(RuntimeError, match="ICS_SALT"):
        links.salt(Settings(environment="production"))

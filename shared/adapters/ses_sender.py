"""SesEmailSender: sends complete MIME messages through Amazon SES."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.errors import InvalidInput, Unavailable

if TYPE_CHECKING:
    from mypy_boto3_ses.client import SESClient

_CALLER_ERRORS = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException", "InvalidParameterValue"})


class SesEmailSender:
    def __init__(self, client: SESClient) -> None:
        self.client = client

    def send_raw(self, *, source: str, destinations: list[str], raw: bytes) -> str:
        try:
            response = self.client.send_raw_email(Source=source, Destinations=destinations, RawMessage={"Data": raw})
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _CALLER_ERRORS:
                raise InvalidInput(f"SES refused the message ({code})", code="email_rejected") from exc
            raise Unavailable(f"SES send failed ({code})") from exc
        # SES replaces our Message-ID header with <id@REGION.amazonses.com> (email.amazonses.com in us-east-1).
        region = self.client.meta.region_name
        domain = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
        return f"{response['MessageId']}@{domain}"
